/**
 * The `.helr` parser: tokens → a concrete syntax tree. The grammar is small and regular —
 * every statement is a key followed by `= value`, a block, or words (a "form" such as
 * `auth bearer { … }`) — and it knows nothing of Helr's keys: what a form means is decided
 * when the tree is turned into the AST (compiler/syntax/dsl/).
 *
 * ```
 * file       = statements EOF
 * statements = Sep* [ statement { Sep+ [ statement ] } ]
 * statement  = key ( assignment | arguments | block )
 * assignment = ( "=" | ":" ) value
 * arguments  = scalar+ [ block ]
 * block      = "{" statements "}"
 * value      = scalar | reference | list | block
 * reference  = ( "env" | "file" ) ( word | string )
 * list       = "[" Sep* [ value { Sep+ [ value ] } ] "]"
 * key        = word | string | "true" | "false" | "null" | "env" | "file"
 * scalar     = string | number | duration | size | "true" | "false" | "null" | word
 * Sep        = line break | ";" | ","
 * ```
 */
import { type CstNode, CstParser, type IToken } from "chevrotain";
import { PARSER_MESSAGES } from "./messages.ts";
import {
  ALL_TOKENS,
  Colon,
  Duration,
  Env,
  Equals,
  False,
  File,
  Identifier,
  LBracket,
  LCurly,
  Null,
  NumberLiteral,
  RawString,
  RBracket,
  RCurly,
  Separator,
  Size,
  StringLiteral,
  True,
} from "./tokens.ts";

/** The chevrotain parser for `.helr`. Create one and reuse it: construction analyses the grammar. */
export class HelrParser extends CstParser {
  constructor() {
    super([...ALL_TOKENS], {
      recoveryEnabled: false,
      maxLookahead: 1,
      nodeLocationTracking: "onlyOffset",
      errorMessageProvider: PARSER_MESSAGES,
    });
    this.performSelfAnalysis();
  }

  readonly file = this.RULE("file", () => {
    this.SUBRULE(this.statements);
  });

  readonly statements = this.RULE("statements", () => {
    this.MANY(() => this.CONSUME(Separator));
    this.OPTION(() => {
      this.SUBRULE(this.statement);
      this.MANY2(() => {
        this.AT_LEAST_ONE(() => this.CONSUME2(Separator));
        this.OPTION2(() => this.SUBRULE2(this.statement));
      });
    });
  });

  readonly statement = this.RULE("statement", () => {
    this.SUBRULE(this.key);
    this.OR([
      { ALT: () => this.SUBRULE(this.assignment) },
      { ALT: () => this.SUBRULE(this.arguments) },
      { ALT: () => this.SUBRULE(this.block) },
    ]);
  });

  readonly assignment = this.RULE("assignment", () => {
    this.OR([{ ALT: () => this.CONSUME(Equals) }, { ALT: () => this.CONSUME(Colon) }]);
    this.SUBRULE(this.value);
  });

  readonly arguments = this.RULE("arguments", () => {
    this.AT_LEAST_ONE(() => this.SUBRULE(this.scalar));
    this.OPTION(() => this.SUBRULE(this.block));
  });

  readonly block = this.RULE("block", () => {
    this.CONSUME(LCurly);
    this.SUBRULE(this.statements);
    this.CONSUME(RCurly);
  });

  readonly value = this.RULE("value", () => {
    this.OR([
      { ALT: () => this.SUBRULE(this.scalar) },
      { ALT: () => this.SUBRULE(this.reference) },
      { ALT: () => this.SUBRULE(this.list) },
      { ALT: () => this.SUBRULE(this.block) },
    ]);
  });

  readonly reference = this.RULE("reference", () => {
    this.OR([{ ALT: () => this.CONSUME(Env) }, { ALT: () => this.CONSUME(File) }]);
    this.OR2([
      { ALT: () => this.CONSUME(Identifier) },
      { ALT: () => this.CONSUME(StringLiteral) },
      { ALT: () => this.CONSUME(RawString) },
    ]);
  });

  readonly list = this.RULE("list", () => {
    this.CONSUME(LBracket);
    this.MANY(() => this.CONSUME(Separator));
    this.OPTION(() => {
      this.SUBRULE(this.value);
      this.MANY2(() => {
        this.AT_LEAST_ONE(() => this.CONSUME2(Separator));
        this.OPTION2(() => this.SUBRULE2(this.value));
      });
    });
    this.CONSUME(RBracket);
  });

  readonly key = this.RULE("key", () => {
    this.OR([
      { ALT: () => this.CONSUME(Identifier) },
      { ALT: () => this.CONSUME(StringLiteral) },
      { ALT: () => this.CONSUME(RawString) },
      { ALT: () => this.CONSUME(True) },
      { ALT: () => this.CONSUME(False) },
      { ALT: () => this.CONSUME(Null) },
      { ALT: () => this.CONSUME(Env) },
      { ALT: () => this.CONSUME(File) },
    ]);
  });

  readonly scalar = this.RULE("scalar", () => {
    this.OR([
      { ALT: () => this.CONSUME(StringLiteral) },
      { ALT: () => this.CONSUME(RawString) },
      { ALT: () => this.CONSUME(NumberLiteral) },
      { ALT: () => this.CONSUME(Duration) },
      { ALT: () => this.CONSUME(Size) },
      { ALT: () => this.CONSUME(True) },
      { ALT: () => this.CONSUME(False) },
      { ALT: () => this.CONSUME(Null) },
      { ALT: () => this.CONSUME(Identifier) },
    ]);
  });
}

/** The one parser instance (chevrotain parsers are reusable; building one is the slow part). */
let shared: HelrParser | undefined;

/** Parses tokens into a CST. `errors` holds at most one error: parsing stops at the first. */
export function parseTokens(tokens: IToken[]): { cst: CstNode | undefined; errors: HelrParser["errors"] } {
  shared ??= new HelrParser();
  shared.input = tokens;
  const cst = shared.file();
  return { cst, errors: shared.errors };
}
