mod common;
use common::console::Console;
use crossterm::event::KeyCode;

#[test]
fn look() {
    let mut c = Console::new(80, 24);
    c.sign_in("manager");
    c.key(KeyCode::Char('3')).key(KeyCode::F(9));
    println!("{}", c.screen());
    c.key(KeyCode::Enter);
    println!("{}", c.screen());
    c.key(KeyCode::Backspace).key(KeyCode::Backspace).typed("20").key(KeyCode::Enter).key(KeyCode::Backspace).key(KeyCode::Backspace).key(KeyCode::Backspace).typed("60").key(KeyCode::Enter);
    println!("{}", c.screen());
    c.key(KeyCode::Char('u'));
    println!("{}", c.screen());
}
