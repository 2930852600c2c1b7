"""Writes the broken device files of tests/broken/ from one valid base file.

Each case changes the base and marks the lines where a diagnostic is expected with a
'#!' comment (CODE @text); tests/broken_files.rs checks that exactly those are reported.
Run: python3 tests/broken/tools/generate.py (from crates/medsec-device), then review the diff.
"""
import re
BASE = """medsec: 1
device:
  name: Test Pump
  manufacturer: Test Devices Ltd
  version: "1.0"
  intended_use: Delivers insulin under the control of a phone app.
  categories: [wearable]
  markets:
    - { market: eu-mdr, class: IIb }
functionalities: [wireless-communication, therapy-delivery]
technologies: [ble]
assets:
  - id: dose
    name: Dose command
    kind: function
    confidentiality: { need: none }
    integrity: { need: high, harm: Overdose of insulin, severity: catastrophic }
    availability: { need: medium, harm: Missed dose, severity: serious }
trust_zones:
  - { id: body, name: On body, trust: high }
  - { id: phone, name: Phone, trust: low }
elements:
  - id: pump
    name: Pump firmware
    kind: process
    zone: body
    technologies: [rtos]
    assets: [dose]
  - id: app
    name: App
    kind: process
    zone: phone
    technologies: [mobile-app]
    assets: [dose]
flows:
  - id: cmd
    from: app
    to: pump
    protocol: ble-gatt
    data: [dose]
    authentication: ble-passkey
    encryption: ble-secure-connections
controls:
  - id: pairing
    name: Pairing with passkey
    mitigates:
      - { target: cmd, stride: [tampering] }
"""
cases = []
def case(name, title, *subs, base=BASE):
    text = base
    for old, new in subs:
        assert old in text, (name, old)
        text = text.replace(old, new, 1)
    cases.append((name, title, text))

case("unknown-top-level-key", "a misspelt section name",
     ("flows:\n", "flowz:  #! medsec::device::unknown-key @flowz\n"))
case("unknown-key-in-element", "a misspelt key inside an element, which also leaves a required key missing",
     ("  - id: pump\n", "  - id: pump  #! medsec::device::missing-key @id\n"),
     ("    zone: body\n", "    zoen: body  #! medsec::device::unknown-key @zoen\n"))
case("bad-element-kind", "an element kind outside the enumeration",
     ("    kind: process\n", "    kind: proces  #! medsec::device::bad-value @proces\n"))
case("unquoted-version", "a version YAML reads as a number",
     ('  version: "1.0"\n', "  version: 1.0  #! medsec::device::wrong-type @1.0\n"))
case("unknown-zone", "an element in a zone that does not exist",
     ("    zone: body\n", "    zone: bdy  #! medsec::device::unknown-reference @bdy\n"),
     ("  - { id: body, name: On body, trust: high }\n", "  - { id: body, name: On body, trust: high }  #! medsec::device::empty-zone @body\n"))
case("unknown-asset-in-flow", "a flow carrying an asset nobody declared",
     ("    data: [dose]\n", "    data: [dose, glucose]  #! medsec::device::unknown-reference @glucose\n"))
case("flow-from-unknown-element", "a flow from an element that does not exist, which leaves the app unconnected",
     ("    from: app\n", "    from: ap  #! medsec::device::unknown-reference @ap\n"),
     ("  - id: app\n", "  - id: app  #! medsec::device::isolated-element @app\n"))
case("duplicate-id", "two elements with one id",
     ("  - id: app\n", "  - id: pump  #! medsec::device::duplicate-id @pump\n"),
     ("    from: app\n", "    from: ap  #! medsec::device::unknown-reference @ap\n"))
case("duplicate-key", "a key given twice in one mapping",
     ("  name: Test Pump\n", "  name: Test Pump\n  name: Other Pump  #! medsec::yaml::duplicate-key @name\n"))
case("yaml-syntax", "an unclosed flow sequence",
     ("technologies: [ble]\n", "technologies: [ble\n"),
     ("assets:\n", "assets:  #! medsec::yaml::syntax @:\n"))
case("bad-class", "a class that MDR does not have",
     ("class: IIb }", "class: IIc }  #! medsec::device::bad-class @IIc"))
case("class-of-other-market", "an MDR class given for the FDA",
     ("    - { market: eu-mdr, class: IIb }\n", "    - { market: eu-mdr, class: IIb }\n    - { market: fda, class: IIb }  #! medsec::device::bad-class @IIb\n"))
case("unknown-technology", "a misspelt technology",
     ("    technologies: [rtos]\n", "    technologies: [rtos, bel]  #! medsec::device::unknown-term @bel\n"))
case("unknown-protocol", "a misspelt protocol",
     ("    protocol: ble-gatt\n", "    protocol: ble-gat  #! medsec::device::unknown-term @ble-gat\n"))
case("missing-severity", "a needed property without severity",
     ("    availability: { need: medium, harm: Missed dose, severity: serious }\n", "    availability: { need: medium, harm: Missed dose }  #! medsec::device::missing-severity @{\n"))
case("missing-harm", "a needed property without a described harm",
     ("    integrity: { need: high, harm: Overdose of insulin, severity: catastrophic }\n", "    integrity: { need: high, severity: catastrophic }  #! medsec::device::missing-harm @{\n"))
case("zone-cycle", "two zones nested inside each other",
     ("  - { id: body, name: On body, trust: high }\n", "  - { id: body, name: On body, trust: high, parent: phone }  #! medsec::device::zone-cycle @phone\n"),
     ("  - { id: phone, name: Phone, trust: low }\n", "  - { id: phone, name: Phone, trust: low, parent: body }  #! medsec::device::zone-cycle @body\n"))
case("control-target-unknown", "a control protecting a flow that does not exist",
     ("      - { target: cmd, stride: [tampering] }\n", "      - { target: cmnd, stride: [tampering] }  #! medsec::device::unknown-reference @cmnd\n"))
case("stride-not-applicable", "a control claiming tampering on a data flow is fine, elevation of privilege is not",
     ("stride: [tampering] }", "stride: [tampering, elevation-of-privilege] }  #! medsec::device::stride-not-applicable @elevation"))
case("format-version", "a format version this medsec does not read",
     ("medsec: 1\n", "medsec: 2  #! medsec::device::format-version @2\n"))
case("bad-id", "an id with capitals and an underscore",
     ("  - id: pairing\n", "  - id: Pairing_1  #! medsec::device::bad-id @Pairing_1\n"))
case("alias", "a YAML alias",
     ("  - { id: body, name: On body, trust: high }\n", "  - { id: body, name: &onbody On body, trust: high }\n"),
     ("  - { id: phone, name: Phone, trust: low }\n", "  - { id: phone, name: *onbody, trust: low }  #! medsec::yaml::alias @*onbody\n"))
case("sbom-missing", "an SBOM path that does not exist",
     ("    assets: [dose]\n  - id: app\n", "    assets: [dose]\n    software:\n      sbom: sbom/missing.cdx.json  #! medsec::device::bad-sbom @sbom/missing\n  - id: app\n"))
case("human-process", "a person modelled as a process",
     ("    technologies: [mobile-app]\n", "    technologies: [mobile-app]\n    human: true  #! medsec::device::human-not-external @true\n"))
case("flow-loop", "a flow from an element to itself",
     ("    to: pump\n", "    to: app  #! medsec::device::flow-loop @app\n"),
     ("  - id: pump\n", "  - id: pump  #! medsec::device::isolated-element @pump\n"))
case("unknown-category", "a product category outside the vocabulary and its extension",
     ("  categories: [wearable]\n", "  vocabulary: x\n  categories: [wearable, patch-pump]  #! medsec::device::unknown-term @patch-pump\n".replace("  vocabulary: x\n", "")))
case("extended-vocabulary-is-accepted", "a term the file adds itself is accepted; the misspelt one is not",
     ("functionalities: [wireless-communication, therapy-delivery]\n", "vocabulary:\n  technologies:\n    - { id: lora, description: LoRa radio. }\nfunctionalities: [wireless-communication, therapy-delivery]\n"),
     ("technologies: [ble]\n", "technologies: [ble, lora, lorra]  #! medsec::device::unknown-term @lorra\n"))
case("second-document", "two YAML documents in one file",
     ("controls:\n", "---  #! medsec::yaml::multiple-documents @---\ncontrols:\n"))
case("missing-intended-use", "the intended use left out",
     ("  intended_use: Delivers insulin under the control of a phone app.\n", ""),
     ("device:\n", "device:  #! medsec::device::missing-key @device\n"), )
case("empty-software", "a software section naming nothing",
     ("    assets: [dose]\n  - id: app\n", "    assets: [dose]\n    software: {}  #! medsec::device::empty-software @{}\n  - id: app\n"))
case("many-errors-at-once", "errors from every stage in one file: all are reported",
     ("  - id: pump\n", "  - id: pump\n    colour: blue  #! medsec::device::unknown-key @colour\n"),
     ("class: IIb }", "class: IIx }  #! medsec::device::bad-class @IIx"),
     ("    zone: phone\n", "    zone: phne  #! medsec::device::unknown-reference @phne\n"),
     ("  - { id: phone, name: Phone, trust: low }\n", "  - { id: phone, name: Phone, trust: low }\n"),
     ("technologies: [ble]\n", "technologies: [ble, bluetoth]  #! medsec::device::unknown-term @bluetoth\n"),
     ("    encryption: ble-secure-connections\n", "    encryption: aes  #! medsec::device::bad-value @aes\n"))

case("spoofing-only-on-crossing-flows", "spoofing applies to a flow that crosses a trust boundary, not to one inside a zone",
     ("  - id: app\n", "  - id: pump-log\n    name: Pump log\n    kind: data-store\n    zone: body\n    assets: [dose]\n  - id: app\n"),
     ("controls:\n", "  - id: log-write\n    from: pump\n    to: pump-log\n    protocol: file\n    data: [dose]\n    authentication: none\n    encryption: none\ncontrols:\n"),
     ("      - { target: cmd, stride: [tampering] }\n", "      - { target: cmd, stride: [spoofing, tampering] }\n      - { target: log-write, stride: [spoofing] }  #! medsec::device::stride-not-applicable @spoofing\n"))

import os
here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
for i, (name, title, text) in enumerate(cases, 1):
    fn = os.path.join(here, f"{i:02d}-{name}.yaml")
    with open(fn, "w") as f:
        f.write(f"# Broken device file: {title}.\n# Each line with a '#!' comment (CODE @text) must get exactly that diagnostic, its column at 'text'.\n" + text)
print(len(cases))
