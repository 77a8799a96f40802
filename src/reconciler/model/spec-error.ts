// A problem with the user's resource: which field, and what is wrong with it.
export class SpecError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}
