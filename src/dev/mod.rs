//! Developer tools behind the `dev` cargo feature: the corpus generator and the fuzz entry points.

pub mod corpus;
pub mod fuzzing;
