//! Controlled vocabularies for categories, functionalities, technologies and protocols.
//!
//! Threat rules, requirement applicability and test selection key on these ids, so a
//! device file may only use a term that is defined here or added in its own
//! `vocabulary:` section. The terms are ours; where a term names a standard or a
//! radio service, the description says which.

use serde::Serialize;

/// A built-in vocabulary term.
#[derive(Debug, Clone, Copy, Serialize)]
pub struct Term {
    pub id: &'static str,
    pub description: &'static str,
}

const fn t(id: &'static str, description: &'static str) -> Term {
    Term { id, description }
}

/// The four vocabularies a device file draws on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum VocabularyKind {
    Categories,
    Functionalities,
    Technologies,
    Protocols,
}

impl VocabularyKind {
    pub const ALL: [VocabularyKind; 4] = [
        VocabularyKind::Categories,
        VocabularyKind::Functionalities,
        VocabularyKind::Technologies,
        VocabularyKind::Protocols,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            VocabularyKind::Categories => "categories",
            VocabularyKind::Functionalities => "functionalities",
            VocabularyKind::Technologies => "technologies",
            VocabularyKind::Protocols => "protocols",
        }
    }

    /// Singular noun for messages ("unknown technology").
    pub fn singular(self) -> &'static str {
        match self {
            VocabularyKind::Categories => "product category",
            VocabularyKind::Functionalities => "functionality",
            VocabularyKind::Technologies => "technology",
            VocabularyKind::Protocols => "protocol",
        }
    }

    pub fn builtin(self) -> &'static [Term] {
        match self {
            VocabularyKind::Categories => CATEGORIES,
            VocabularyKind::Functionalities => FUNCTIONALITIES,
            VocabularyKind::Technologies => TECHNOLOGIES,
            VocabularyKind::Protocols => PROTOCOLS,
        }
    }

    pub fn parse(name: &str) -> Option<VocabularyKind> {
        VocabularyKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

pub const CATEGORIES: &[Term] = &[
    t(
        "implantable",
        "Placed wholly or partly inside the body (pacemaker, ICD, neurostimulator, implanted pump).",
    ),
    t(
        "wearable",
        "Worn on the body by the patient (patch pump, CGM, wearable monitor).",
    ),
    t("home-use", "Used by lay users outside a clinical setting."),
    t(
        "hospital-networked",
        "Connected to a hospital network (bedside monitor, infusion pump, central station).",
    ),
    t(
        "imaging",
        "Acquires or processes medical images (CT, MR, ultrasound, X-ray, PACS viewer).",
    ),
    t(
        "in-vitro-diagnostic",
        "Examines specimens taken from the body (analyser, point-of-care tester).",
    ),
    t(
        "software-as-medical-device",
        "Software that is a medical device on its own, without being part of hardware (SaMD).",
    ),
    t(
        "life-supporting",
        "Sustains or supports life (ventilator, dialysis machine, heart-lung machine).",
    ),
    t(
        "therapeutic",
        "Delivers therapy or energy to the patient (infusion, stimulation, radiation).",
    ),
    t(
        "diagnostic-monitoring",
        "Monitors physiological parameters or supports diagnosis.",
    ),
    t(
        "clinical-information-system",
        "Software that handles clinical data for many patients (gateway, LIS, data manager).",
    ),
];

pub const FUNCTIONALITIES: &[Term] = &[
    t(
        "wireless-communication",
        "Exchanges data over a radio link.",
    ),
    t(
        "wired-network",
        "Connects to a wired network (Ethernet, serial bus).",
    ),
    t(
        "remote-control",
        "Its behaviour or settings can be changed from another device.",
    ),
    t(
        "remote-monitoring",
        "Sends physiological or device data to a remote party.",
    ),
    t(
        "remote-update",
        "Receives software or firmware updates over a network or radio link (OTA).",
    ),
    t(
        "local-update",
        "Receives software updates through a local port or removable media.",
    ),
    t(
        "cloud-connectivity",
        "Exchanges data with a service hosted by the manufacturer or a third party.",
    ),
    t("patient-data-storage", "Stores personal health data."),
    t(
        "patient-data-transmission",
        "Transmits personal health data to other systems.",
    ),
    t(
        "therapy-delivery",
        "Delivers a therapy (drug, energy, stimulation) to the patient.",
    ),
    t(
        "closed-loop-control",
        "Adjusts therapy automatically from measured values.",
    ),
    t("diagnosis", "Produces results used to diagnose or screen."),
    t(
        "physiological-monitoring",
        "Measures physiological parameters continuously or periodically.",
    ),
    t("alarms", "Raises clinical or technical alarms."),
    t(
        "user-authentication",
        "Authenticates users before granting access.",
    ),
    t(
        "role-based-access",
        "Grants different rights to different user roles.",
    ),
    t("audit-logging", "Records security-relevant events."),
    t(
        "local-user-interface",
        "Has a display, keys or touch screen on the device.",
    ),
    t(
        "removable-media",
        "Reads or writes USB sticks, SD cards or other removable media.",
    ),
    t(
        "remote-service-access",
        "Lets the manufacturer or a service provider reach the device remotely for maintenance.",
    ),
    t(
        "third-party-integration",
        "Exchanges data with hospital information systems (EHR, LIS, PACS).",
    ),
    t("data-export", "Exports data to files or reports."),
    t(
        "time-synchronisation",
        "Sets its clock from an external time source.",
    ),
    t(
        "emergency-access",
        "Offers a break-glass or emergency mode that bypasses normal access control.",
    ),
];

pub const TECHNOLOGIES: &[Term] = &[
    t("ble", "Bluetooth Low Energy."),
    t("bluetooth-classic", "Bluetooth BR/EDR."),
    t("wifi", "IEEE 802.11 wireless LAN."),
    t("cellular", "Mobile network (LTE, LTE-M, NB-IoT, 5G)."),
    t("nfc", "Near-field communication (ISO/IEC 14443, 15693)."),
    t("zigbee", "IEEE 802.15.4 / Zigbee."),
    t(
        "mics-rf",
        "Medical Implant Communication Service radio (402-405 MHz MedRadio band).",
    ),
    t(
        "proprietary-rf",
        "A vendor-specific radio link (e.g. 2.4 GHz or sub-GHz) outside a standard stack.",
    ),
    t(
        "inductive-telemetry",
        "Short-range inductive (near-field magnetic) link, e.g. a programmer wand.",
    ),
    t("usb", "Universal Serial Bus port."),
    t("serial", "RS-232/RS-485 or another serial port."),
    t("ethernet", "Wired Ethernet."),
    t(
        "debug-port",
        "Hardware debug access (JTAG, SWD) or a service console (UART).",
    ),
    t(
        "removable-storage",
        "SD card, USB mass storage or other removable media.",
    ),
    t("hl7-v2", "HL7 version 2 messaging."),
    t("fhir", "HL7 FHIR REST API."),
    t("dicom", "DICOM (imaging objects and network services)."),
    t(
        "astm-lis",
        "ASTM E1381/E1394 (CLSI LIS1/LIS2) laboratory instrument interface.",
    ),
    t(
        "ieee-11073",
        "IEEE 11073 personal health device or service-oriented device connectivity (SDC).",
    ),
    t("web-ui", "A user interface served over HTTP to a browser."),
    t("rest-api", "An HTTP API."),
    t("mqtt", "MQTT publish/subscribe messaging."),
    t(
        "mobile-app",
        "An app on a smartphone or tablet (iOS or Android).",
    ),
    t(
        "embedded-linux",
        "A Linux-based embedded operating system (Yocto, Buildroot).",
    ),
    t(
        "rtos",
        "A real-time operating system (FreeRTOS, Zephyr, ThreadX, VxWorks).",
    ),
    t("bare-metal", "Firmware without an operating system."),
    t("windows", "Microsoft Windows (desktop, server or IoT)."),
    t("android", "Android operating system on the device itself."),
    t(
        "cloud-service",
        "Software hosted in a public or private cloud.",
    ),
    t(
        "relational-database",
        "A SQL database (PostgreSQL, SQL Server, SQLite).",
    ),
    t(
        "bootloader",
        "A boot loader that starts and may update the firmware.",
    ),
    t("secure-element", "A secure element or TPM holding keys."),
    t(
        "ota-update",
        "A mechanism that installs updates received over a network.",
    ),
    t("ntp", "Network Time Protocol client or server."),
    t(
        "active-directory",
        "Microsoft Active Directory / LDAP directory service.",
    ),
    t(
        "remote-desktop",
        "Remote desktop access (RDP, VNC, TeamViewer).",
    ),
    t("vpn", "A virtual private network tunnel."),
    t(
        "third-party-libraries",
        "Open-source or commercial software components (SOUP/OTS).",
    ),
    t("logging", "Security or event logging facility."),
    t("touchscreen", "A touch screen user interface."),
    t(
        "barcode-reader",
        "A barcode or RFID reader for specimens, patients or consumables.",
    ),
];

pub const PROTOCOLS: &[Term] = &[
    t("ble-gatt", "Bluetooth LE GATT."),
    t("bluetooth-spp", "Bluetooth serial port profile (RFCOMM)."),
    t(
        "mics-telemetry",
        "Implant telemetry in the MedRadio/MICS band.",
    ),
    t("proprietary-rf", "A vendor-specific radio protocol."),
    t("inductive", "Inductive near-field telemetry."),
    t("nfc", "Near-field communication."),
    t("usb", "USB device class traffic."),
    t("serial", "Serial line protocol."),
    t("https", "HTTP over TLS."),
    t("http", "HTTP without TLS."),
    t("websocket", "WebSocket."),
    t("mqtt", "MQTT."),
    t("amqp", "AMQP message queueing."),
    t("grpc", "gRPC over HTTP/2."),
    t(
        "hl7-mllp",
        "HL7 v2 over the minimal lower layer protocol (TCP).",
    ),
    t("fhir-rest", "HL7 FHIR over HTTP."),
    t("dicom-dimse", "DICOM network services (DIMSE over TCP)."),
    t("dicomweb", "DICOMweb (HTTP)."),
    t(
        "astm-e1381",
        "ASTM E1381/E1394 (CLSI LIS1/LIS2) over serial or TCP.",
    ),
    t("ieee-11073-sdc", "IEEE 11073 SDC."),
    t("ssh", "Secure Shell."),
    t("sftp", "SFTP file transfer."),
    t("smb", "SMB/CIFS file sharing."),
    t("rdp", "Remote Desktop Protocol."),
    t("vnc", "VNC remote framebuffer."),
    t("sql", "A database client protocol."),
    t("ldap", "LDAP directory access."),
    t("ntp", "Network Time Protocol."),
    t("dns", "Domain Name System."),
    t("syslog", "Syslog."),
    t("snmp", "SNMP."),
    t("smtp", "E-mail delivery."),
    t(
        "ipc",
        "Inter-process communication on one host (sockets, pipes, binder).",
    ),
    t("file", "Files read or written on shared or local storage."),
    t(
        "memory-bus",
        "On-board bus between chips (SPI, I2C, UART between MCUs).",
    ),
    t(
        "user-interface",
        "A person using a screen, keys or buttons.",
    ),
    t(
        "physical",
        "Physical handling: removable media, connectors, the device itself.",
    ),
];

/// A vocabulary as seen by one device file: built-in terms plus the file's extensions.
pub struct Vocabulary<'a> {
    pub kind: VocabularyKind,
    pub extension_ids: Vec<&'a str>,
}

impl<'a> Vocabulary<'a> {
    pub fn contains(&self, id: &str) -> bool {
        self.kind.builtin().iter().any(|term| term.id == id) || self.extension_ids.contains(&id)
    }

    pub fn ids(&self) -> impl Iterator<Item = &str> {
        self.kind
            .builtin()
            .iter()
            .map(|term| term.id)
            .chain(self.extension_ids.iter().copied())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn builtin_ids_are_unique_and_well_formed() {
        for kind in VocabularyKind::ALL {
            let mut seen = HashSet::new();
            for term in kind.builtin() {
                assert!(
                    seen.insert(term.id),
                    "{} repeats {}",
                    kind.as_str(),
                    term.id
                );
                assert!(
                    term.id
                        .chars()
                        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
                    "{} is not a lower-case id",
                    term.id
                );
                assert!(term.description.ends_with('.'), "{}", term.id);
            }
        }
    }
}
