use clap::Parser;

fn main() {
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
