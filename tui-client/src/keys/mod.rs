//! The key table: one list of bindings drives key handling ([`lookup`]), the help overlay
//! (`ui::help`) and the status-bar hints (`ui::status`), so they cannot disagree.
//!
//! Every action has a plain key and, where that key may not arrive (tmux, SSH, some terminals), a
//! Ctrl fallback. Ctrl+H is *not* help: many terminals send Backspace as Ctrl+H (0x08), so it
//! deletes. Ctrl+B is left alone for tmux's prefix; Ctrl+S/Ctrl+Q reach the client because raw
//! mode turns off XON/XOFF flow control.

mod key;

use crossterm::event::{KeyCode, KeyModifiers};
use tui_input::InputRequest;

pub use key::Key;

/// Where a binding applies. Contexts are searched in the order [`contexts`] gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Context {
    /// Everywhere.
    Global,
    /// The room: history and the message line.
    Room,
    /// Any text field (the message line and the connect dialog's fields).
    Edit,
    /// The connect dialog.
    Dialog,
    /// The help overlay.
    Help,
    /// Typing a search of the history.
    SearchEdit,
    /// Moving between the matches of a search.
    SearchResults,
}

impl Context {
    /// Section title in the help overlay.
    pub fn title(self) -> &'static str {
        match self {
            Self::Global => "Em qualquer lugar",
            Self::Room => "Na sala",
            Self::Edit => "Editando texto (mensagem e campos)",
            Self::Dialog => "Na janela de conexão",
            Self::Help => "Nesta ajuda",
            Self::SearchEdit => "Digitando uma busca (Ctrl+F)",
            Self::SearchResults => "Entre os resultados da busca",
        }
    }
}

/// The contexts active for a screen state, most specific first.
pub fn contexts(help_open: bool, dialog_open: bool) -> &'static [Context] {
    if help_open {
        &[Context::Help, Context::Global]
    } else if dialog_open {
        &[Context::Dialog, Context::Edit, Context::Global]
    } else {
        &[Context::Room, Context::Edit, Context::Global]
    }
}

/// The contexts while a search of the history is open (and no dialog or help is): typing the
/// query, or moving between its matches.
pub fn search_contexts(editing: bool) -> &'static [Context] {
    if editing {
        &[Context::SearchEdit, Context::Edit, Context::Global]
    } else {
        &[Context::SearchResults, Context::Room, Context::Global]
    }
}

/// Something a key does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// Leave: `/SAIR` first when connected.
    Quit,
    /// Open or close the help overlay.
    ToggleHelp,
    /// Open the connect dialog; while waiting to reconnect, reconnect at once.
    OpenDialog,
    /// Ask the server who is in the room.
    RefreshUsers,
    /// Send the message line (text or command).
    Submit,
    /// Scroll the history up by a page.
    PageUp,
    /// Scroll the history down by a page.
    PageDown,
    /// Scroll the history up by a line.
    LineUp,
    /// Scroll the history down by a line.
    LineDown,
    /// Scroll the users panel up by a page.
    UsersPageUp,
    /// Scroll the users panel down by a page.
    UsersPageDown,
    /// Back to the newest messages; while connecting, give the attempt up.
    Live,
    /// Caret to the end of the message line; already there (or the line is empty), back to the
    /// newest messages.
    EndOrLive,
    /// The previous line sent (input history).
    HistoryPrev,
    /// The next line sent (input history).
    HistoryNext,
    /// Complete a command or nickname; again for the next candidate.
    Complete,
    /// Like [`Action::Complete`], backwards.
    CompleteBack,
    /// An edit of the focused text field.
    Edit(InputRequest),
    /// The dialog's next field.
    NextField,
    /// The dialog's previous field.
    PrevField,
    /// Connect with the dialog's values.
    Confirm,
    /// Close the dialog (or the help) without doing anything.
    Cancel,
    /// Scroll the help up a line.
    HelpUp,
    /// Scroll the help down a line.
    HelpDown,
    /// Open the search of the history (again: edit the query).
    Search,
    /// Keep the query and move between its matches.
    SearchConfirm,
    /// Close the search (the view stays).
    SearchClose,
    /// The next older match.
    SearchOlder,
    /// The next newer match.
    SearchNewer,
    /// Turn mouse capture on or off.
    ToggleMouse,
}

/// One entry of the key table.
#[derive(Debug, Clone, Copy)]
pub struct Binding {
    /// Where it applies.
    pub context: Context,
    /// The keys, the preferred one first.
    pub keys: &'static [Key],
    /// What they do.
    pub action: Action,
    /// What the help overlay says, in Portuguese.
    pub help: &'static str,
    /// A short label for the status bar, if the binding is worth a hint there.
    pub hint: Option<&'static str>,
}

use KeyCode as K;
use KeyModifiers as M;

const fn bind(
    context: Context,
    keys: &'static [Key],
    action: Action,
    help: &'static str,
) -> Binding {
    Binding {
        context,
        keys,
        action,
        help,
        hint: None,
    }
}

const fn hint(b: Binding, label: &'static str) -> Binding {
    Binding {
        hint: Some(label),
        ..b
    }
}

const fn edit(keys: &'static [Key], request: InputRequest, help: &'static str) -> Binding {
    bind(Context::Edit, keys, Action::Edit(request), help)
}

/// Every key binding of the client. Kept one per line, like the table it is.
#[rustfmt::skip]
pub const BINDINGS: &[Binding] = &[
    hint(
        bind(Context::Global, &[Key::plain(K::F(1)), Key::ctrl('g')], Action::ToggleHelp, "abre/fecha esta ajuda"),
        "ajuda",
    ),
    hint(
        bind(Context::Global, &[Key::plain(K::F(10)), Key::ctrl('q'), Key::ctrl('c')], Action::Quit, "sai (envia /SAIR se conectado)"),
        "sair",
    ),
    hint(
        bind(Context::Global, &[Key::plain(K::F(2)), Key::ctrl('n')], Action::OpenDialog, "conectar (/ENTRAR); reconectando: tenta já"),
        "conectar",
    ),
    bind(Context::Global, &[Key::plain(K::F(5)), Key::ctrl('r')], Action::RefreshUsers, "atualiza a lista de pessoas (/USUARIOS)"),
    bind(Context::Global, &[Key::plain(K::F(7)), Key::alt('m')], Action::ToggleMouse, "mouse liga/desliga (roda rola o histórico)"),
    bind(Context::Room, &[Key::ctrl('f'), Key::plain(K::F(3))], Action::Search, "busca no histórico (/BUSCAR texto)"),
    bind(Context::SearchEdit, &[Key::plain(K::Enter)], Action::SearchConfirm, "fixa a busca; n/N andam entre os resultados"),
    bind(Context::SearchEdit, &[Key::plain(K::Esc)], Action::SearchClose, "fecha a busca (a vista fica onde está)"),
    bind(Context::SearchEdit, &[Key::plain(K::Up)], Action::SearchOlder, "resultado mais antigo"),
    bind(Context::SearchEdit, &[Key::plain(K::Down)], Action::SearchNewer, "resultado mais novo"),
    bind(Context::SearchResults, &[Key::plain(K::Char('n')), Key::plain(K::Up)], Action::SearchOlder, "resultado mais antigo"),
    bind(Context::SearchResults, &[Key::plain(K::Char('N')), Key::plain(K::Down)], Action::SearchNewer, "resultado mais novo"),
    bind(Context::SearchResults, &[Key::ctrl('f'), Key::plain(K::Char('/'))], Action::Search, "edita a busca"),
    bind(Context::SearchResults, &[Key::ctrl('j')], Action::SearchClose, "fecha a busca (a linha de mensagem volta)"),
    bind(Context::SearchResults, &[Key::plain(K::Esc), Key::plain(K::Enter), Key::plain(K::Char('q'))], Action::SearchClose, "fecha a busca (a vista fica onde está)"),
    bind(Context::Room, &[Key::plain(K::Enter), Key::ctrl('j')], Action::Submit, "envia a mensagem ou o comando"),
    bind(Context::Room, &[Key::plain(K::Tab)], Action::Complete, "completa comando ou apelido (de novo: próximo)"),
    bind(Context::Room, &[Key::plain(K::BackTab)], Action::CompleteBack, "completa, voltando ao anterior"),
    bind(Context::Room, &[Key::plain(K::Up)], Action::HistoryPrev, "linha enviada anterior"),
    bind(Context::Room, &[Key::plain(K::Down)], Action::HistoryNext, "linha enviada seguinte"),
    bind(Context::Room, &[Key::plain(K::PageUp)], Action::PageUp, "rola o histórico uma página acima"),
    bind(Context::Room, &[Key::plain(K::PageDown)], Action::PageDown, "rola o histórico uma página abaixo"),
    bind(Context::Room, &[Key::with(K::Up, M::SHIFT), Key::with(K::Up, M::CONTROL)], Action::LineUp, "rola uma linha acima"),
    bind(Context::Room, &[Key::with(K::Down, M::SHIFT), Key::with(K::Down, M::CONTROL)], Action::LineDown, "rola uma linha abaixo"),
    bind(Context::Room, &[Key::plain(K::Esc), Key::with(K::End, M::CONTROL)], Action::Live, "volta às mensagens novas; cancela conexão"),
    bind(Context::Room, &[Key::plain(K::End)], Action::EndOrLive, "cursor no fim; no fim: mensagens novas"),
    bind(Context::Room, &[Key::plain(K::F(11)), Key::ctrl('p')], Action::UsersPageUp, "rola a lista de pessoas uma página acima"),
    bind(Context::Room, &[Key::plain(K::F(12)), Key::ctrl('o')], Action::UsersPageDown, "rola a lista de pessoas uma página abaixo"),
    edit(&[Key::plain(K::Left), Key::ctrl('b')], InputRequest::GoToPrevChar, "cursor um caractere à esquerda"),
    edit(&[Key::plain(K::Right)], InputRequest::GoToNextChar, "cursor um caractere à direita"),
    edit(&[Key::with(K::Left, M::CONTROL), Key::alt('b')], InputRequest::GoToPrevWord, "cursor uma palavra à esquerda"),
    edit(&[Key::with(K::Right, M::CONTROL), Key::alt('f')], InputRequest::GoToNextWord, "cursor uma palavra à direita"),
    edit(&[Key::plain(K::Home), Key::ctrl('a')], InputRequest::GoToStart, "cursor no início"),
    edit(&[Key::plain(K::End), Key::ctrl('e')], InputRequest::GoToEnd, "cursor no fim"),
    edit(&[Key::plain(K::Backspace), Key::ctrl('h')], InputRequest::DeletePrevChar, "apaga à esquerda"),
    edit(&[Key::plain(K::Delete), Key::ctrl('d')], InputRequest::DeleteNextChar, "apaga à direita"),
    edit(&[Key::ctrl('w'), Key::with(K::Backspace, M::ALT)], InputRequest::DeletePrevWord, "apaga a palavra à esquerda"),
    edit(&[Key::with(K::Delete, M::CONTROL), Key::alt('d')], InputRequest::DeleteNextWord, "apaga a palavra à direita"),
    edit(&[Key::ctrl('u')], InputRequest::DeleteLine, "apaga a linha inteira"),
    edit(&[Key::ctrl('k')], InputRequest::DeleteTillEnd, "apaga até o fim"),
    edit(&[Key::ctrl('y')], InputRequest::Yank, "cola o último trecho apagado"),
    bind(Context::Dialog, &[Key::plain(K::Tab), Key::plain(K::Down)], Action::NextField, "próximo campo"),
    bind(Context::Dialog, &[Key::plain(K::BackTab), Key::plain(K::Up)], Action::PrevField, "campo anterior"),
    bind(Context::Dialog, &[Key::plain(K::Enter), Key::ctrl('j')], Action::Confirm, "conecta"),
    bind(Context::Dialog, &[Key::plain(K::Esc)], Action::Cancel, "cancela"),
    bind(Context::Help, &[Key::plain(K::Esc), Key::plain(K::Enter), Key::plain(K::Char('q'))], Action::Cancel, "fecha a ajuda"),
    bind(Context::Help, &[Key::plain(K::Up)], Action::HelpUp, "rola a ajuda para cima"),
    bind(Context::Help, &[Key::plain(K::Down)], Action::HelpDown, "rola a ajuda para baixo"),
    bind(Context::Help, &[Key::plain(K::PageUp)], Action::PageUp, "uma página para cima"),
    bind(Context::Help, &[Key::plain(K::PageDown)], Action::PageDown, "uma página para baixo"),
];

/// What `key` does in the first of `contexts` that binds it. A character typed without Ctrl or
/// Alt in an edit context, bound to nothing else, inserts itself.
pub fn lookup(contexts: &[Context], key: Key) -> Option<Action> {
    for &context in contexts {
        let found = BINDINGS
            .iter()
            .find(|b| b.context == context && b.keys.contains(&key));
        if let Some(b) = found {
            return Some(b.action);
        }
        if context == Context::Edit
            && let KeyCode::Char(c) = key.code
            && key.mods.is_empty()
        {
            return Some(Action::Edit(InputRequest::InsertChar(c)));
        }
    }
    None
}

/// The keys of `binding`, as people read them: `F1 / Ctrl+G`.
pub fn labels(binding: &Binding) -> String {
    binding
        .keys
        .iter()
        .map(Key::label)
        .collect::<Vec<_>>()
        .join(" / ")
}

/// The preferred key of `action` in `context`, as people read it (`Esc`), for texts that name
/// a key.
pub fn first_label(context: Context, action: Action) -> Option<String> {
    BINDINGS
        .iter()
        .find(|b| b.context == context && b.action == action)
        .and_then(|b| b.keys.first())
        .map(Key::label)
}

/// The status-bar hints: `(first key, label)` for every binding that has one, in table order.
pub fn hints() -> impl Iterator<Item = (String, &'static str)> {
    BINDINGS.iter().filter_map(|b| {
        let key = b.keys.first()?;
        Some((key.label(), b.hint?))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crossterm::event::KeyEvent;
    use std::collections::HashSet;

    #[test]
    fn no_key_is_bound_twice_in_a_context() {
        let mut seen = HashSet::new();
        for b in BINDINGS {
            for key in b.keys {
                assert!(
                    seen.insert((b.context, *key)),
                    "{key:?} twice in {:?}",
                    b.context
                );
            }
        }
    }

    #[test]
    fn events_are_normalised() {
        let ev = |code, mods| KeyEvent::new(code, mods);
        assert_eq!(
            Key::from_event(&ev(K::Char('Q'), M::CONTROL | M::SHIFT)),
            Some(Key::ctrl('q'))
        );
        assert_eq!(
            Key::from_event(&ev(K::Char('A'), M::SHIFT)),
            Some(Key::plain(K::Char('A')))
        );
        assert_eq!(
            Key::from_event(&ev(K::BackTab, M::SHIFT)),
            Some(Key::plain(K::BackTab))
        );
        let room = contexts(false, false);
        assert_eq!(
            lookup(room, Key::ctrl('h')),
            Some(Action::Edit(InputRequest::DeletePrevChar))
        );
        assert_eq!(
            lookup(room, Key::plain(K::Char('x'))),
            Some(Action::Edit(InputRequest::InsertChar('x')))
        );
        assert_eq!(lookup(room, Key::plain(K::F(10))), Some(Action::Quit));
        assert_eq!(
            lookup(contexts(true, false), Key::plain(K::Char('x'))),
            None
        );
        assert_eq!(
            lookup(contexts(false, true), Key::plain(K::Tab)),
            Some(Action::NextField)
        );
    }

    #[test]
    fn labels_read_well() {
        assert_eq!(Key::ctrl('q').label(), "Ctrl+Q");
        assert_eq!(Key::with(K::Up, M::SHIFT).label(), "Shift+↑");
        assert_eq!(Key::plain(K::PageUp).label(), "PgUp");
        let hints: Vec<_> = hints().collect();
        assert_eq!(hints[0], ("F1".to_owned(), "ajuda"));
    }
}
