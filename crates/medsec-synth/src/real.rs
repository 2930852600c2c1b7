//! Real vendor:product pairs placed in the pool: the components that medical-device SBOMs
//! really contain, the platforms NVD configurations really name, and the heaviest vendors
//! of the real NVD. `cves` is our rough estimate of each product's CVE count in NVD (order
//! of magnitude, from browsing NVD product searches; not an exact figure): it is used as the
//! product's sampling weight, in expected CVEs at the full scale of 400,000.

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Part {
    A,
    O,
    H,
}

impl Part {
    pub fn letter(self) -> &'static str {
        match self {
            Part::A => "a",
            Part::O => "o",
            Part::H => "h",
        }
    }
}

/// How a product numbers its releases.
#[derive(Debug, Clone, Copy)]
pub enum Style {
    /// `major.minor.patch`: majors lo..=hi, minors 0..=max, up to `patch` patches each.
    Sem(u16, u16, u16, u16),
    /// `major.minor`.
    Two(u16, u16, u16),
    /// OpenSSL-like `1.1.1k`: each base, then base + a letter.
    Letter(&'static [&'static str]),
    /// `2020.04` from the given first year.
    Date(u16),
    /// A plain number (`244`).
    Num(u16, u16),
    /// An explicit list.
    List(&'static [&'static str]),
}

/// An identity of the product in an ecosystem, for SBOM components.
#[derive(Debug, Clone, Copy)]
pub enum Id {
    Npm(&'static str),
    Pypi(&'static str),
    Maven(&'static str, &'static str),
    Nuget(&'static str),
    Deb(&'static str),
    /// A C library or firmware component without a purl: name and supplier.
    Generic(&'static str, &'static str),
}

pub struct Real {
    pub vendor: &'static str,
    pub product: &'static str,
    pub part: Part,
    pub cves: u32,
    pub style: Style,
    pub ids: &'static [Id],
    pub target_sw: Option<&'static str>,
}

const fn r(
    vendor: &'static str,
    product: &'static str,
    part: Part,
    cves: u32,
    style: Style,
    ids: &'static [Id],
) -> Real {
    Real {
        vendor,
        product,
        part,
        cves,
        style,
        ids,
        target_sw: None,
    }
}

const fn npm(vendor: &'static str, product: &'static str, cves: u32, style: Style) -> Real {
    Real {
        vendor,
        product,
        part: Part::A,
        cves,
        style,
        ids: &[],
        target_sw: Some("node.js"),
    }
}

use Id::*;
use Part::*;
use Style::*;

/// Debian releases as NVD names them (`debian_linux`).
pub const DEBIAN: &[&str] = &["7.0", "8.0", "9.0", "10.0", "11.0", "12.0"];
pub const UBUNTU: &[&str] = &["14.04", "16.04", "18.04", "20.04", "22.04", "24.04"];

pub static REAL: &[Real] = &[
    // C libraries and firmware components of embedded devices (SBOM: generic, deb).
    r(
        "openssl",
        "openssl",
        A,
        300,
        Letter(&["0.9.8", "1.0.0", "1.0.1", "1.0.2", "1.1.0", "1.1.1"]),
        &[
            Generic("openssl", "OpenSSL Software Foundation"),
            Deb("openssl"),
        ],
    ),
    r(
        "zlib",
        "zlib",
        A,
        20,
        List(&[
            "1.2.3", "1.2.5", "1.2.7", "1.2.8", "1.2.11", "1.2.12", "1.2.13", "1.3", "1.3.1",
        ]),
        &[
            Generic("zlib", "Jean-loup Gailly and Mark Adler"),
            Deb("zlib1g"),
        ],
    ),
    r(
        "haxx",
        "curl",
        A,
        160,
        Sem(7, 8, 88, 1),
        &[Generic("curl", "curl project"), Deb("curl")],
    ),
    r(
        "haxx",
        "libcurl",
        A,
        120,
        Sem(7, 8, 88, 1),
        &[Generic("libcurl", "curl project"), Deb("libcurl4")],
    ),
    r(
        "busybox",
        "busybox",
        A,
        60,
        Sem(1, 1, 36, 3),
        &[Generic("busybox", "BusyBox project"), Deb("busybox")],
    ),
    r(
        "linux",
        "linux_kernel",
        O,
        9000,
        Sem(3, 6, 19, 200),
        &[Generic("linux", "kernel.org"), Deb("linux-image-amd64")],
    ),
    r(
        "sqlite",
        "sqlite",
        A,
        80,
        Sem(3, 3, 46, 3),
        &[Generic("sqlite", "SQLite Consortium"), Deb("libsqlite3-0")],
    ),
    r(
        "libexpat_project",
        "libexpat",
        A,
        45,
        Sem(2, 2, 6, 4),
        &[Generic("expat", "Expat development team"), Deb("libexpat1")],
    ),
    r(
        "xmlsoft",
        "libxml2",
        A,
        110,
        Sem(2, 2, 13, 14),
        &[Generic("libxml2", "GNOME Project"), Deb("libxml2")],
    ),
    r(
        "arm",
        "mbed_tls",
        A,
        70,
        Sem(2, 3, 28, 10),
        &[Generic("mbedtls", "Arm Limited")],
    ),
    r(
        "lwip_project",
        "lwip",
        A,
        10,
        List(&[
            "1.4.0", "1.4.1", "2.0.0", "2.0.3", "2.1.0", "2.1.2", "2.1.3", "2.2.0",
        ]),
        &[Generic("lwip", "lwIP developers")],
    ),
    r(
        "amazon",
        "freertos",
        A,
        30,
        Sem(10, 11, 6, 4),
        &[Generic("freertos-kernel", "Amazon Web Services")],
    ),
    r(
        "wolfssl",
        "wolfssl",
        A,
        90,
        Sem(3, 5, 15, 8),
        &[Generic("wolfssl", "wolfSSL Inc.")],
    ),
    r(
        "gnu",
        "glibc",
        A,
        160,
        Two(2, 2, 40),
        &[Generic("glibc", "GNU Project"), Deb("libc6")],
    ),
    r(
        "openbsd",
        "openssh",
        A,
        130,
        List(&[
            "6.6", "7.2", "7.4", "7.6", "7.9", "8.0", "8.2", "8.4", "8.6", "8.8", "8.9", "9.0",
            "9.3", "9.6", "9.8",
        ]),
        &[Generic("openssh", "OpenBSD project"), Deb("openssh-server")],
    ),
    r(
        "dropbear_ssh_project",
        "dropbear_ssh",
        A,
        25,
        List(&[
            "2016.74", "2017.75", "2018.76", "2019.77", "2019.78", "2020.79", "2020.80", "2020.81",
            "2022.82", "2022.83", "2024.84", "2024.85",
        ]),
        &[Generic("dropbear", "Matt Johnston")],
    ),
    r(
        "libpng",
        "libpng",
        A,
        60,
        Sem(1, 1, 6, 43),
        &[Generic("libpng", "libpng project"), Deb("libpng16-16")],
    ),
    r(
        "libjpeg-turbo",
        "libjpeg-turbo",
        A,
        30,
        Sem(1, 3, 5, 3),
        &[
            Generic("libjpeg-turbo", "libjpeg-turbo project"),
            Deb("libjpeg62-turbo"),
        ],
    ),
    r(
        "denx",
        "u-boot",
        A,
        40,
        Date(2012),
        &[Generic("u-boot", "DENX Software Engineering")],
    ),
    r(
        "systemd_project",
        "systemd",
        A,
        60,
        Num(219, 256),
        &[Generic("systemd", "systemd project"), Deb("systemd")],
    ),
    r(
        "thekelleys",
        "dnsmasq",
        A,
        40,
        Two(2, 2, 90),
        &[Generic("dnsmasq", "Simon Kelley"), Deb("dnsmasq")],
    ),
    r("isc", "bind", A, 180, Sem(9, 9, 18, 30), &[Deb("bind9")]),
    r(
        "ntp",
        "ntp",
        A,
        110,
        Sem(4, 4, 2, 8),
        &[Generic("ntp", "Network Time Foundation"), Deb("ntp")],
    ),
    r(
        "gnu",
        "bash",
        A,
        20,
        Two(4, 5, 3),
        &[Generic("bash", "GNU Project"), Deb("bash")],
    ),
    r(
        "sudo_project",
        "sudo",
        A,
        45,
        Sem(1, 1, 9, 15),
        &[Generic("sudo", "Todd C. Miller"), Deb("sudo")],
    ),
    r(
        "gnu",
        "gnutls",
        A,
        80,
        Sem(3, 3, 8, 12),
        &[Generic("gnutls", "GnuTLS project"), Deb("libgnutls30")],
    ),
    r(
        "offis",
        "dcmtk",
        A,
        25,
        Sem(3, 3, 6, 8),
        &[Generic("dcmtk", "OFFIS e.V.")],
    ),
    r(
        "qt",
        "qt",
        A,
        60,
        Sem(5, 6, 15, 12),
        &[Generic("qtbase", "The Qt Company")],
    ),
    r("f5", "nginx", A, 40, Sem(1, 1, 27, 5), &[Deb("nginx")]),
    r(
        "apache",
        "http_server",
        A,
        260,
        Sem(2, 2, 4, 62),
        &[Deb("apache2")],
    ),
    r(
        "postgresql",
        "postgresql",
        A,
        160,
        Two(9, 17, 22),
        &[Deb("postgresql")],
    ),
    r(
        "sqlite",
        "sqlite_jdbc",
        A,
        3,
        Sem(3, 3, 46, 1),
        &[Maven("org.xerial", "sqlite-jdbc")],
    ),
    r(
        "nxp",
        "mcuxpresso_software_development_kit",
        A,
        5,
        Sem(2, 2, 16, 1),
        &[Generic("mcuxpresso-sdk", "NXP Semiconductors")],
    ),
    r(
        "st",
        "stm32cube_middleware",
        A,
        5,
        Sem(1, 1, 28, 3),
        &[Generic("stm32cube-middleware", "STMicroelectronics")],
    ),
    r(
        "zephyrproject",
        "zephyr",
        O,
        120,
        Sem(1, 3, 14, 2),
        &[Generic("zephyr", "Zephyr Project")],
    ),
    // Java (Maven).
    r(
        "apache",
        "log4j",
        A,
        12,
        Sem(2, 2, 17, 4),
        &[Maven("org.apache.logging.log4j", "log4j-core")],
    ),
    r(
        "fasterxml",
        "jackson-databind",
        A,
        150,
        Sem(2, 2, 17, 4),
        &[Maven("com.fasterxml.jackson.core", "jackson-databind")],
    ),
    r(
        "fasterxml",
        "jackson-core",
        A,
        5,
        Sem(2, 2, 17, 4),
        &[Maven("com.fasterxml.jackson.core", "jackson-core")],
    ),
    r(
        "vmware",
        "spring_framework",
        A,
        60,
        Sem(4, 6, 3, 30),
        &[
            Maven("org.springframework", "spring-core"),
            Maven("org.springframework", "spring-web"),
        ],
    ),
    r(
        "vmware",
        "spring_boot",
        A,
        15,
        Sem(2, 3, 7, 18),
        &[Maven("org.springframework.boot", "spring-boot")],
    ),
    r(
        "vmware",
        "spring_security",
        A,
        50,
        Sem(5, 6, 8, 12),
        &[Maven(
            "org.springframework.security",
            "spring-security-core",
        )],
    ),
    r(
        "apache",
        "tomcat",
        A,
        260,
        Sem(8, 10, 5, 100),
        &[Maven("org.apache.tomcat.embed", "tomcat-embed-core")],
    ),
    r(
        "eclipse",
        "jetty",
        A,
        45,
        Sem(9, 12, 4, 50),
        &[Maven("org.eclipse.jetty", "jetty-server")],
    ),
    r(
        "netty",
        "netty",
        A,
        35,
        Sem(4, 4, 1, 110),
        &[Maven("io.netty", "netty-codec-http")],
    ),
    r(
        "apache",
        "commons_text",
        A,
        2,
        Sem(1, 1, 10, 0),
        &[Maven("org.apache.commons", "commons-text")],
    ),
    r(
        "snakeyaml_project",
        "snakeyaml",
        A,
        10,
        Two(1, 2, 33),
        &[Maven("org.yaml", "snakeyaml")],
    ),
    r(
        "google",
        "guava",
        A,
        3,
        Sem(20, 33, 1, 3),
        &[Maven("com.google.guava", "guava")],
    ),
    r(
        "qos",
        "logback",
        A,
        5,
        Sem(1, 1, 4, 14),
        &[Maven("ch.qos.logback", "logback-classic")],
    ),
    r(
        "apache",
        "commons_fileupload",
        A,
        5,
        Sem(1, 1, 5, 0),
        &[Maven("commons-fileupload", "commons-fileupload")],
    ),
    r(
        "apache",
        "struts",
        A,
        90,
        Sem(2, 2, 5, 33),
        &[Maven("org.apache.struts", "struts2-core")],
    ),
    r(
        "hapifhir",
        "hapi_fhir",
        A,
        6,
        Sem(5, 7, 7, 4),
        &[Maven("ca.uhn.hapi.fhir", "hapi-fhir-base")],
    ),
    r(
        "dcm4che",
        "dcm4che",
        A,
        4,
        Sem(5, 5, 31, 2),
        &[Maven("org.dcm4che", "dcm4che-core")],
    ),
    r(
        "h2database",
        "h2",
        A,
        8,
        Sem(1, 2, 4, 200),
        &[Maven("com.h2database", "h2")],
    ),
    r(
        "bouncycastle",
        "legion-of-the-bouncy-castle-java-crytography-api",
        A,
        25,
        Two(1, 1, 78),
        &[Maven("org.bouncycastle", "bcprov-jdk18on")],
    ),
    // JavaScript (npm).
    npm("lodash", "lodash", 10, Sem(4, 4, 17, 21)),
    npm("jquery", "jquery", 15, Sem(1, 3, 12, 4)),
    npm("substack", "minimist", 3, Sem(0, 1, 2, 8)),
    npm("axios", "axios", 8, Sem(0, 1, 28, 6)),
    npm("expressjs", "express", 6, Sem(4, 5, 19, 3)),
    npm("momentjs", "moment", 4, Sem(2, 2, 30, 2)),
    npm("node-fetch_project", "node-fetch", 3, Sem(2, 3, 6, 13)),
    npm("ws_project", "ws", 4, Sem(5, 8, 18, 3)),
    npm("npmjs", "semver", 2, Sem(5, 7, 7, 4)),
    npm("json5", "json5", 2, Sem(1, 2, 2, 3)),
    npm("follow-redirects", "follow-redirects", 5, Sem(1, 1, 15, 9)),
    npm("salesforce", "tough-cookie", 2, Sem(2, 4, 5, 4)),
    npm("qs_project", "qs", 3, Sem(6, 6, 13, 5)),
    npm("webpack-js", "webpack", 4, Sem(4, 5, 94, 2)),
    npm("vercel", "next.js", 20, Sem(12, 15, 5, 30)),
    npm("angular", "angular", 10, Sem(8, 18, 2, 14)),
    // Python (PyPI).
    r(
        "djangoproject",
        "django",
        A,
        160,
        Sem(1, 5, 11, 20),
        &[Pypi("django")],
    ),
    r(
        "python",
        "requests",
        A,
        8,
        Sem(2, 2, 32, 3),
        &[Pypi("requests")],
    ),
    r(
        "python",
        "urllib3",
        A,
        15,
        Sem(1, 2, 26, 18),
        &[Pypi("urllib3")],
    ),
    r(
        "python",
        "pillow",
        A,
        90,
        Sem(6, 11, 4, 2),
        &[Pypi("pillow")],
    ),
    r("pyyaml", "pyyaml", A, 6, Sem(5, 6, 4, 1), &[Pypi("pyyaml")]),
    r(
        "palletsprojects",
        "jinja",
        A,
        8,
        Sem(2, 3, 11, 3),
        &[Pypi("jinja2")],
    ),
    r(
        "palletsprojects",
        "flask",
        A,
        5,
        Sem(1, 3, 1, 3),
        &[Pypi("flask")],
    ),
    r(
        "palletsprojects",
        "werkzeug",
        A,
        12,
        Sem(1, 3, 1, 6),
        &[Pypi("werkzeug")],
    ),
    r(
        "cryptography_project",
        "cryptography",
        A,
        15,
        Sem(2, 43, 9, 3),
        &[Pypi("cryptography")],
    ),
    r("numpy", "numpy", A, 10, Sem(1, 2, 26, 4), &[Pypi("numpy")]),
    r("lxml", "lxml", A, 8, Sem(4, 5, 9, 3), &[Pypi("lxml")]),
    r(
        "paramiko",
        "paramiko",
        A,
        8,
        Sem(2, 3, 12, 3),
        &[Pypi("paramiko")],
    ),
    r(
        "sqlalchemy",
        "sqlalchemy",
        A,
        6,
        Sem(1, 2, 4, 50),
        &[Pypi("sqlalchemy")],
    ),
    r(
        "python",
        "setuptools",
        A,
        4,
        Num(40, 75),
        &[Pypi("setuptools")],
    ),
    r(
        "tiangolo",
        "fastapi",
        A,
        3,
        Sem(0, 0, 115, 3),
        &[Pypi("fastapi")],
    ),
    r(
        "python",
        "python",
        A,
        230,
        Sem(2, 3, 13, 18),
        &[Deb("python3")],
    ),
    // .NET (NuGet).
    r(
        "newtonsoft",
        "json.net",
        A,
        2,
        Sem(9, 13, 0, 3),
        &[Nuget("Newtonsoft.Json")],
    ),
    r(
        "microsoft",
        ".net",
        A,
        180,
        Sem(5, 8, 0, 30),
        &[Nuget("Microsoft.NETCore.App")],
    ),
    r(
        "microsoft",
        "asp.net_core",
        A,
        70,
        Sem(2, 8, 2, 30),
        &[Nuget("Microsoft.AspNetCore.App")],
    ),
    r(
        "microsoft",
        "system.text.encodings.web",
        A,
        2,
        Sem(4, 8, 7, 2),
        &[Nuget("System.Text.Encodings.Web")],
    ),
    // Platforms, distributions and the heaviest products of the real NVD (no SBOM identity).
    r("debian", "debian_linux", O, 9000, List(DEBIAN), &[]),
    r("fedoraproject", "fedora", O, 5000, Num(25, 41), &[]),
    r("canonical", "ubuntu_linux", O, 4000, List(UBUNTU), &[]),
    r("redhat", "enterprise_linux", O, 3500, Two(6, 9, 9), &[]),
    r(
        "netapp",
        "active_iq_unified_manager",
        A,
        800,
        List(&["-"]),
        &[],
    ),
    r(
        "netapp",
        "ontap_select_deploy_administration_utility",
        A,
        600,
        List(&["-"]),
        &[],
    ),
    r(
        "microsoft",
        "windows_10",
        O,
        3500,
        List(&["1507", "1607", "1809", "20h2", "21h2", "22h2"]),
        &[],
    ),
    r(
        "microsoft",
        "windows_server_2019",
        O,
        2500,
        List(&["-"]),
        &[],
    ),
    r("microsoft", "windows", O, 200, List(&["-"]), &[]),
    r("google", "android", O, 6000, Num(8, 15), &[]),
    r("apple", "macos", O, 3000, Sem(10, 15, 15, 7), &[]),
    r("apple", "iphone_os", O, 3500, Sem(12, 18, 7, 6), &[]),
    r("google", "chrome", A, 3500, Sem(90, 131, 0, 150), &[]),
    r("mozilla", "firefox", A, 2600, Two(60, 133, 9), &[]),
    r("oracle", "mysql", A, 1500, Sem(5, 8, 7, 40), &[]),
    r("adobe", "acrobat_reader_dc", A, 1800, Date(2015), &[]),
    r("cisco", "ios", O, 1000, Two(12, 15, 9), &[]),
    r("gitlab", "gitlab", A, 1500, Sem(13, 17, 11, 9), &[]),
    r("jenkins", "jenkins", A, 400, Two(2, 2, 480), &[]),
    r("imagemagick", "imagemagick", A, 700, Sem(6, 7, 9, 60), &[]),
    r("php", "php", A, 700, Sem(5, 8, 4, 30), &[]),
    r("wordpress", "wordpress", A, 500, Sem(4, 6, 9, 5), &[]),
    r("tensorflow", "tensorflow", A, 450, Sem(2, 2, 17, 4), &[]),
    r(
        "ibm",
        "websphere_application_server",
        A,
        600,
        Sem(8, 9, 5, 25),
        &[],
    ),
];

/// Device platforms that `AND` configurations name as `vulnerable: false` when an
/// application is affected only when running on them.
pub const RUNNING_ON: &[(&str, &str, &str)] = &[
    ("o", "microsoft", "windows"),
    ("o", "linux", "linux_kernel"),
    ("o", "apple", "macos"),
    ("o", "google", "android"),
    ("o", "apple", "iphone_os"),
];

/// Distributions that follow a CVE in a separate configuration (as NVD adds
/// `debian_linux` and `fedora` blocks to upstream CVEs).
pub const DOWNSTREAM: &[(&str, &str)] = &[
    ("debian", "debian_linux"),
    ("fedoraproject", "fedora"),
    ("canonical", "ubuntu_linux"),
    ("redhat", "enterprise_linux"),
    ("netapp", "active_iq_unified_manager"),
    ("netapp", "ontap_select_deploy_administration_utility"),
];
