/**
 * The part of GraphQL's query language a paging client sends, parsed for the Relay mock
 * (graphql-relay-mock.ts): one `query` operation (or a bare selection set) with variable
 * definitions, fields with aliases and arguments, nested selection sets, and `#` comments.
 * Fragments, directives, mutations and subscriptions are refused with a syntax error, so a test
 * that needs them finds out rather than getting a silently wrong answer.
 */

/** A field of a selection set; `selections` is undefined for a leaf. */
export interface QueryField {
  /** The response key: the alias, or the field name. */
  readonly key: string;
  readonly name: string;
  readonly args: ReadonlyMap<string, QueryValue>;
  readonly selections: readonly QueryField[] | undefined;
}

/** An argument value: a `$variable`, or a literal (numbers, strings, booleans, null, enum names as strings). */
export type QueryValue = { readonly variable: string } | { readonly literal: unknown };

/** A variable definition: its type as written (`Int!`, `[String]`). */
export interface QueryVariable {
  readonly type: string;
  readonly nonNull: boolean;
}

/** A parsed operation. */
export interface QueryOperation {
  readonly name: string | undefined;
  readonly variables: ReadonlyMap<string, QueryVariable>;
  readonly selections: readonly QueryField[];
}

/** A query the parser refuses; the message is graphql-js's wording (`Syntax Error: …`). */
export class QuerySyntaxError extends Error {}

const TOKEN =
  /\s+|,|#[^\n\r]*|(\.\.\.|[!$():=[\]{}@|&])|(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)|([_A-Za-z]\w*)|("(?:[^"\\\n\r]|\\.)*")/y;

type Token = { readonly kind: "punct" | "number" | "name" | "string"; readonly text: string };

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  TOKEN.lastIndex = 0;
  while (TOKEN.lastIndex < text.length) {
    const at = TOKEN.lastIndex;
    const match = TOKEN.exec(text);
    if (match === null)
      throw new QuerySyntaxError(`Syntax Error: Unexpected character "${text.charAt(at)}".`);
    const [, punct, number, name, string] = match;
    if (punct !== undefined) tokens.push({ kind: "punct", text: punct });
    else if (number !== undefined) tokens.push({ kind: "number", text: number });
    else if (name !== undefined) tokens.push({ kind: "name", text: name });
    else if (string !== undefined) tokens.push({ kind: "string", text: string });
  }
  return tokens;
}

/** Parses one operation; throws {@link QuerySyntaxError}. */
export function parseQuery(text: string): QueryOperation {
  return new Parser(tokenize(text)).operation();
}

class Parser {
  #at = 0;
  readonly tokens: readonly Token[];
  constructor(tokens: readonly Token[]) {
    this.tokens = tokens;
  }

  operation(): QueryOperation {
    let name: string | undefined;
    const variables = new Map<string, QueryVariable>();
    if (this.#peek()?.kind === "name") {
      const keyword = this.#name();
      if (keyword !== "query") throw new QuerySyntaxError(`Syntax Error: Unexpected Name "${keyword}".`);
      if (this.#peek()?.kind === "name") name = this.#name();
      if (this.#is("(")) this.#variables(variables);
    }
    const selections = this.#selectionSet();
    const rest = this.#peek();
    if (rest !== undefined) throw this.#unexpected(rest);
    return { name, variables, selections };
  }

  #variables(into: Map<string, QueryVariable>): void {
    this.#expect("(");
    while (!this.#is(")")) {
      this.#expect("$");
      const name = this.#name();
      this.#expect(":");
      const type = this.#type();
      if (this.#is("=")) {
        this.#expect("=");
        this.#value();
      }
      into.set(name, { type, nonNull: type.endsWith("!") });
    }
    this.#expect(")");
  }

  #type(): string {
    let type: string;
    if (this.#is("[")) {
      this.#expect("[");
      type = `[${this.#type()}]`;
      this.#expect("]");
    } else type = this.#name();
    if (this.#is("!")) {
      this.#expect("!");
      type += "!";
    }
    return type;
  }

  #selectionSet(): QueryField[] {
    this.#expect("{");
    const fields: QueryField[] = [];
    while (!this.#is("}")) fields.push(this.#field());
    this.#expect("}");
    if (fields.length === 0) throw new QuerySyntaxError('Syntax Error: Expected Name, found "}".');
    return fields;
  }

  #field(): QueryField {
    const key = this.#name();
    let name = key;
    if (this.#is(":")) {
      this.#expect(":");
      name = this.#name();
    }
    const args = new Map<string, QueryValue>();
    if (this.#is("(")) {
      this.#expect("(");
      while (!this.#is(")")) {
        const arg = this.#name();
        this.#expect(":");
        args.set(arg, this.#value());
      }
      this.#expect(")");
    }
    const selections = this.#is("{") ? this.#selectionSet() : undefined;
    return { key, name, args, selections };
  }

  #value(): QueryValue {
    const token = this.#next();
    if (token.kind === "punct" && token.text === "$") return { variable: this.#name() };
    if (token.kind === "number") return { literal: Number(token.text) };
    if (token.kind === "string") return { literal: JSON.parse(token.text) };
    if (token.kind === "name")
      return {
        literal:
          token.text === "true"
            ? true
            : token.text === "false"
              ? false
              : token.text === "null"
                ? null
                : token.text,
      };
    throw this.#unexpected(token);
  }

  #name(): string {
    const token = this.#next();
    if (token.kind !== "name")
      throw new QuerySyntaxError(`Syntax Error: Expected Name, found "${token.text}".`);
    return token.text;
  }

  #expect(punct: string): void {
    const token = this.#next();
    if (token.kind !== "punct" || token.text !== punct)
      throw new QuerySyntaxError(`Syntax Error: Expected "${punct}", found "${token.text}".`);
  }

  #is(punct: string): boolean {
    const token = this.#peek();
    return token?.kind === "punct" && token.text === punct;
  }

  #peek(): Token | undefined {
    return this.tokens[this.#at];
  }

  #next(): Token {
    const token = this.tokens[this.#at++];
    if (token === undefined) throw new QuerySyntaxError("Syntax Error: Expected Name, found <EOF>.");
    return token;
  }

  #unexpected(token: Token): QuerySyntaxError {
    return new QuerySyntaxError(`Syntax Error: Unexpected "${token.text}".`);
  }
}
