//! The format-independent advisory model, with one range model for every source.
