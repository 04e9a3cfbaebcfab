// The user said no to a confirmation: thrown by a tool, turned into a "Cancelled" result by the server.
export class DeclinedError extends Error {
  constructor(readonly what: string) {
    super(`The user did not confirm ${what}`);
    this.name = 'DeclinedError';
  }
}
