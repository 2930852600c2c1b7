//! Domain types shared by every medsec crate: package identifiers (purl, CPE). No I/O.
