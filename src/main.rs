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
    // With --json every answer is JSON, a refusal too (even of the
    // arguments themselves); help and version stay text.
    let json = wardstock::cli::wants_json(std::env::args_os());
    wardstock::cli::set_json(json);
    let cli = match wardstock::cli::Cli::try_parse() {
        Ok(cli) => cli,
        Err(e)
            if json
                && !matches!(
                    e.kind(),
                    clap::error::ErrorKind::DisplayHelp
                        | clap::error::ErrorKind::DisplayVersion
                        | clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand
                ) =>
        {
            let text = e.to_string();
            let first = text.lines().next().unwrap_or_default();
            let first = first.strip_prefix("error: ").unwrap_or(first);
            wardstock::cli::print_refusal(first, "usage");
            std::process::exit(2);
        }
        Err(e) => e.exit(),
    };
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
            wardstock::cli::print_error(&e);
            std::process::exit(1);
        }
    }
}
