mod common;
use common::console::Console;
use crossterm::event::KeyCode;

#[test]
fn look() {
    let mut c = Console::new(80, 24);
    c.sign_in("pharm");
    c.key(KeyCode::Char('4')).key(KeyCode::F(10));
    println!("{}", c.screen());
    c.typed("W-MED");
    println!("{}", c.screen());
    c.key(KeyCode::F(8));
    println!("{}", c.screen());
    c.typed("yes").key(KeyCode::Enter);
    println!("{}", c.screen());
    c.key(KeyCode::Esc).typed("exc:");
    println!("{}", c.screen());
}
