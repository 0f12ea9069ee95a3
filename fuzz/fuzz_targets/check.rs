#![no_main]

libfuzzer_sys::fuzz_target!(|data: &[u8]| hybridlint::dev::fuzzing::check(data));
