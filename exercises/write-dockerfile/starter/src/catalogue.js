// An in-memory catalogue: enough to run the API without a database.
const LOAN_DAYS = 21;

export function createCatalogue(books = sampleBooks()) {
  const byId = new Map(books.map((book) => [book.id, { ...book }]));
  const loans = new Map();
  let nextLoan = 1;

  return {
    search(query) {
      const needle = query.trim().toLowerCase();
      return [...byId.values()].filter((book) => !needle || `${book.title} ${book.author}`.toLowerCase().includes(needle));
    },
    find(id) {
      return byId.get(id) ?? null;
    },
    lend(bookId, memberId, now = new Date()) {
      const book = byId.get(bookId);
      if (!book) return { ok: false, status: 404, error: `No book with id ${bookId}` };
      if (book.onLoan) return { ok: false, status: 409, error: `${book.title} is already on loan` };
      const due = new Date(now.getTime() + LOAN_DAYS * 24 * 60 * 60 * 1000);
      const loan = { id: String(nextLoan++), bookId, memberId, due: due.toISOString().slice(0, 10) };
      book.onLoan = true;
      loans.set(loan.id, loan);
      return { ok: true, loan };
    },
    giveBack(loanId) {
      const loan = loans.get(loanId);
      if (!loan) return null;
      loans.delete(loanId);
      byId.get(loan.bookId).onLoan = false;
      return { ...loan, returned: true };
    },
  };
}

function sampleBooks() {
  return [
    { id: 'b1', title: 'The Left Hand of Darkness', author: 'Ursula K. Le Guin', onLoan: false },
    { id: 'b2', title: 'Kindred', author: 'Octavia E. Butler', onLoan: false },
    { id: 'b3', title: 'The Dispossessed', author: 'Ursula K. Le Guin', onLoan: false },
  ];
}
