//! Generated device models for benchmarks and property tests: the same seed gives the
//! same model. The models are shaped like the examples (nested zones of mixed trust,
//! processes, stores and external entities with technologies and assets, flows with
//! varied protocols and protection, controls) but mean nothing medically.

use medsec_device::model::{
    Asset, AssetKind, Authentication, Control, Device, Direction, Element, ElementKind, Encryption,
    Flow, Identity, Market, MarketId, Mitigation, NeedLevel, PhysicalAccess, SecurityNeed,
    Severity, Stride, TrustLevel, TrustZone,
};

/// A small deterministic generator (xorshift64*), so that no random-number crate is
/// needed and models are identical on every platform.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }

    pub fn next_u64(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// A number in `0..n` (`n` > 0).
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n.max(1) as u64) as usize
    }

    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

const TECHNOLOGIES: &[&str] = &[
    "ble",
    "wifi",
    "cellular",
    "usb",
    "ethernet",
    "debug-port",
    "mics-rf",
    "proprietary-rf",
    "inductive-telemetry",
    "hl7-v2",
    "fhir",
    "dicom",
    "web-ui",
    "rest-api",
    "mobile-app",
    "cloud-service",
    "embedded-linux",
    "rtos",
    "windows",
    "bootloader",
    "ota-update",
    "ntp",
    "relational-database",
    "logging",
    "third-party-libraries",
    "remote-desktop",
    "serial",
    "removable-storage",
    "mqtt",
    "touchscreen",
];

const PROTOCOLS: &[&str] = &[
    "ble-gatt",
    "https",
    "http",
    "hl7-mllp",
    "fhir-rest",
    "dicom-dimse",
    "mqtt",
    "usb",
    "serial",
    "memory-bus",
    "ipc",
    "file",
    "sql",
    "ntp",
    "syslog",
    "ssh",
    "rdp",
    "mics-telemetry",
    "proprietary-rf",
    "inductive",
    "user-interface",
    "physical",
    "websocket",
    "smb",
];

const AUTHENTICATION: &[Authentication] = &[
    Authentication::None,
    Authentication::Password,
    Authentication::Pin,
    Authentication::ApiKey,
    Authentication::BearerToken,
    Authentication::Oauth2,
    Authentication::MutualTls,
    Authentication::ServerCertificate,
    Authentication::BleJustWorks,
    Authentication::BlePasskey,
    Authentication::PhysicalPresence,
    Authentication::OperatingSystem,
];

const ENCRYPTION: &[Encryption] = &[
    Encryption::None,
    Encryption::TlsLegacy,
    Encryption::Tls12,
    Encryption::Tls13,
    Encryption::BleLegacyPairing,
    Encryption::BleSecureConnections,
    Encryption::Wpa2Personal,
    Encryption::Vpn,
    Encryption::ApplicationLayer,
];

const STRIDE: &[Stride] = &[
    Stride::Spoofing,
    Stride::Tampering,
    Stride::Repudiation,
    Stride::InformationDisclosure,
    Stride::DenialOfService,
    Stride::ElevationOfPrivilege,
];

/// A device with `elements` elements and `flows` flows (no SBOMs).
pub fn device(elements: usize, flows: usize, seed: u64) -> Device {
    let mut rng = Rng::new(seed);
    let zone_count = (elements / 50).clamp(1, 200);
    let trusts = [
        TrustLevel::Untrusted,
        TrustLevel::Low,
        TrustLevel::Medium,
        TrustLevel::High,
    ];
    let trust_zones: Vec<TrustZone> = (0..zone_count)
        .map(|i| TrustZone {
            id: format!("zone-{i}"),
            name: format!("Zone {i}"),
            parent: (i > 0 && rng.below(3) == 0).then(|| format!("zone-{}", rng.below(i))),
            trust: *rng.pick(&trusts),
            description: None,
        })
        .collect();
    let severities = Severity::ALL;
    let need = |rng: &mut Rng| SecurityNeed {
        need: NeedLevel::High,
        harm: Some("generated harm".into()),
        severity: Some(*rng.pick(&severities)),
    };
    let assets: Vec<Asset> = (0..40)
        .map(|i| Asset {
            id: format!("asset-{i}"),
            name: format!("Asset {i}"),
            kind: if i % 4 == 0 {
                AssetKind::Function
            } else {
                AssetKind::Data
            },
            description: None,
            confidentiality: need(&mut rng),
            integrity: need(&mut rng),
            availability: need(&mut rng),
            data_classes: Vec::new(),
        })
        .collect();
    let kinds = [
        ElementKind::Process,
        ElementKind::Process,
        ElementKind::DataStore,
        ElementKind::ExternalEntity,
    ];
    let access = [
        PhysicalAccess::None,
        PhysicalAccess::Restricted,
        PhysicalAccess::Patient,
        PhysicalAccess::Public,
    ];
    let element_list: Vec<Element> = (0..elements)
        .map(|i| {
            let kind = *rng.pick(&kinds);
            let technologies = (0..rng.below(4))
                .map(|_| (*rng.pick(TECHNOLOGIES)).to_owned())
                .collect();
            let asset_ids = (0..rng.below(4))
                .map(|_| format!("asset-{}", rng.below(assets.len())))
                .collect();
            Element {
                id: format!("el-{i}"),
                name: format!("Element {i}"),
                kind,
                zone: format!("zone-{}", rng.below(zone_count)),
                description: None,
                technologies,
                assets: asset_ids,
                physical_access: *rng.pick(&access),
                human: kind == ElementKind::ExternalEntity && rng.below(4) == 0,
                software: None,
            }
        })
        .collect();
    let flow_list: Vec<Flow> = (0..flows)
        .map(|i| {
            let from = rng.below(elements.max(1));
            let mut to = rng.below(elements.max(1));
            if to == from && elements > 1 {
                to = (to + 1) % elements;
            }
            Flow {
                id: format!("fl-{i}"),
                name: None,
                from: format!("el-{from}"),
                to: format!("el-{to}"),
                protocol: (*rng.pick(PROTOCOLS)).to_owned(),
                data: (0..1 + rng.below(3))
                    .map(|_| format!("asset-{}", rng.below(assets.len())))
                    .collect(),
                authentication: *rng.pick(AUTHENTICATION),
                encryption: *rng.pick(ENCRYPTION),
                direction: if rng.below(3) == 0 {
                    Direction::Bidirectional
                } else {
                    Direction::OneWay
                },
                description: None,
            }
        })
        .collect();
    let controls: Vec<Control> = (0..(elements + flows) / 20)
        .map(|i| Control {
            id: format!("ctl-{i}"),
            name: format!("Control {i}"),
            description: None,
            mitigates: (0..1 + rng.below(3))
                .map(|_| {
                    let target = if rng.below(2) == 0 && elements > 0 {
                        format!("el-{}", rng.below(elements))
                    } else if flows > 0 {
                        format!("fl-{}", rng.below(flows))
                    } else {
                        "el-0".to_owned()
                    };
                    Mitigation {
                        target,
                        stride: vec![*rng.pick(STRIDE)],
                    }
                })
                .collect(),
            implements: Vec::new(),
        })
        .collect();
    Device {
        medsec: 1,
        device: Identity {
            name: "Synthetic device".into(),
            manufacturer: "medsec benchmarks".into(),
            version: format!("seed-{seed}"),
            udi_di: None,
            security_level: None,
            intended_use: "None: generated for measurement.".into(),
            categories: vec!["hospital-networked".into(), "therapeutic".into()],
            markets: vec![Market {
                market: MarketId::EuMdr,
                class: "IIb".into(),
            }],
        },
        vocabulary: Default::default(),
        functionalities: vec![
            "wireless-communication".into(),
            "remote-control".into(),
            "remote-update".into(),
            "therapy-delivery".into(),
            "patient-data-storage".into(),
            "audit-logging".into(),
            "time-synchronisation".into(),
            "cloud-connectivity".into(),
        ],
        technologies: vec!["third-party-libraries".into()],
        assets,
        trust_zones,
        boundaries: Vec::new(),
        elements: element_list,
        flows: flow_list,
        controls,
    }
}
