//! The `medsec-synth` command.

fn main() {}
