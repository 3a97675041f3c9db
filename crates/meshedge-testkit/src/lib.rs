//! What meshedge's tests, benchmarks and examples share and the shipped binary does not need:
//! [`synth`], synthetic repositories of any size.

pub mod synth;
