//! Small helpers every layer may use: did-you-mean suggestions and phase timings.

pub mod suggest;
pub mod timings;
