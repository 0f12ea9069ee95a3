//! Small helpers every layer may use: did-you-mean suggestions and phase timings.

pub mod suggest;
pub mod timings;
pub mod write;

/// A hash map with the fast, non-cryptographic hasher used for every index of names and addresses.
pub type FastMap<K, V> = std::collections::HashMap<K, V, rustc_hash::FxBuildHasher>;
