use clap::Parser;

fn main() {
    // Output piped into `head` and closed early ends the program quietly,
    // as command-line tools do, instead of failing on a broken pipe.
    #[cfg(unix)]
    // SAFETY: restoring the default disposition of one signal at start-up,
    // before any thread exists.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    let cli = wardstock::cli::Cli::parse();
    match wardstock::cli::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            // One line: the error and its causes.
            let mut msg = e.to_string();
            for cause in e.chain().skip(1) {
                msg.push_str(": ");
                msg.push_str(&cause.to_string());
            }
            eprintln!("wardstock: {msg}");
            std::process::exit(1);
        }
    }
}
