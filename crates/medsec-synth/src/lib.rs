//! Deterministic generator of full-scale benchmark data (work in progress).
