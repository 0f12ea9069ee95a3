fn main() {
    std::process::exit(hybridlint::cli::main());
}
