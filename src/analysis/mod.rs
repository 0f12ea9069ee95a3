//! Everything computed from the model before rules run, in order: effective addresses (with how Exchange
//! stamps policy addresses), pairs of objects that are one, and the cloud view.

pub mod addresses;
pub mod cloud;
pub mod pairs;
pub mod policy;
