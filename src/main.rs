// Many small allocations (strings of the model, diagnostics) across threads: mimalloc handles them
// markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    std::process::exit(hybridlint::cli::main());
}
