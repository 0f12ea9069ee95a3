// Many small allocations (strings of the model, diagnostics) across threads: mimalloc handles them
// markedly faster than the system allocator.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    disable_transparent_huge_pages();
    std::process::exit(hybridlint::cli::main());
}

/// A run touches its memory once, briefly: on kernels that back it with transparent huge pages, each
/// first touch zeroes 2 MiB and can stall on memory compaction, which cost a million-recipient run more
/// system time than all the zeroing of small pages does (see BENCHMARKS.md).
fn disable_transparent_huge_pages() {
    #[cfg(target_os = "linux")]
    // SAFETY: PR_SET_THP_DISABLE takes no pointers; it sets a flag of this process and cannot fail in a
    // way that matters (an older kernel returns EINVAL, and the run goes on as before).
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}
