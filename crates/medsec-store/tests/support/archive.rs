//! Building test archives: `.zip`, `.tar.gz` and `.gz` from (name, bytes) members.

use std::io::Write;
use std::path::Path;

pub fn zip(path: &Path, members: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut z = zip::ZipWriter::new(file);
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    for (name, bytes) in members {
        z.start_file(*name, options)
            .unwrap_or_else(|e| panic!("zip {name}: {e}"));
        z.write_all(bytes)
            .unwrap_or_else(|e| panic!("zip {name}: {e}"));
    }
    z.finish().unwrap_or_else(|e| panic!("zip: {e}"));
}

pub fn tar_gz(path: &Path, members: &[(&str, &[u8])]) {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    // The default level, as a real bomb would be made: with the zlib-rs backend, level 1
    // ("fast") compresses zeros only about 200:1, too close to the ratio limit to test it.
    let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
    let mut t = tar::Builder::new(gz);
    for (name, bytes) in members {
        let mut header = tar::Header::new_gnu();
        header.set_size(bytes.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        t.append_data(&mut header, name, *bytes)
            .unwrap_or_else(|e| panic!("tar {name}: {e}"));
    }
    let gz = t.into_inner().unwrap_or_else(|e| panic!("tar: {e}"));
    gz.finish().unwrap_or_else(|e| panic!("gzip: {e}"));
}

pub fn gz(path: &Path, bytes: &[u8]) {
    let file = std::fs::File::create(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut gz = flate2::write::GzEncoder::new(file, flate2::Compression::fast());
    gz.write_all(bytes).unwrap_or_else(|e| panic!("gzip: {e}"));
    gz.finish().unwrap_or_else(|e| panic!("gzip: {e}"));
}
