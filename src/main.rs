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
    // `--lang` is WARDSTOCK_LANG for this process: every part that asks
    // whether a language was chosen explicitly (the console at sign-in, too)
    // sees the same answer. An unknown name is refused by `run`.
    if let Some(lang) = &cli.lang {
        // SAFETY: at start-up, before any thread exists.
        unsafe {
            std::env::set_var("WARDSTOCK_LANG", lang);
        }
    }
    match wardstock::cli::run(cli) {
        Ok(code) => std::process::exit(code),
        Err(e) => {
            eprintln!("wardstock: {}", wardstock::cli::error_text(&e));
            std::process::exit(1);
        }
    }
}
