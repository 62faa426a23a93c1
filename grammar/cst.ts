// @generated from grammar/parser.ts by test/unit/grammar/cst-types.test.ts (UPDATE_GOLDEN=1). DO NOT EDIT.
import type { CstNode, IToken } from "chevrotain";

export interface FileCstNode extends CstNode {
  name: "file";
  children: FileCstChildren;
}

export type FileCstChildren = {
  statements: StatementsCstNode[];
};

export interface StatementsCstNode extends CstNode {
  name: "statements";
  children: StatementsCstChildren;
}

export type StatementsCstChildren = {
  Separator?: IToken[];
  statement?: StatementCstNode[];
};

export interface StatementCstNode extends CstNode {
  name: "statement";
  children: StatementCstChildren;
}

export type StatementCstChildren = {
  key: KeyCstNode[];
  assignment?: AssignmentCstNode[];
  arguments?: ArgumentsCstNode[];
  block?: BlockCstNode[];
};

export interface AssignmentCstNode extends CstNode {
  name: "assignment";
  children: AssignmentCstChildren;
}

export type AssignmentCstChildren = {
  Equals?: IToken[];
  Colon?: IToken[];
  value: ValueCstNode[];
};

export interface ArgumentsCstNode extends CstNode {
  name: "arguments";
  children: ArgumentsCstChildren;
}

export type ArgumentsCstChildren = {
  scalar: ScalarCstNode[];
  block?: BlockCstNode[];
};

export interface BlockCstNode extends CstNode {
  name: "block";
  children: BlockCstChildren;
}

export type BlockCstChildren = {
  LCurly: IToken[];
  statements: StatementsCstNode[];
  RCurly: IToken[];
};

export interface ValueCstNode extends CstNode {
  name: "value";
  children: ValueCstChildren;
}

export type ValueCstChildren = {
  scalar?: ScalarCstNode[];
  reference?: ReferenceCstNode[];
  list?: ListCstNode[];
  block?: BlockCstNode[];
};

export interface ReferenceCstNode extends CstNode {
  name: "reference";
  children: ReferenceCstChildren;
}

export type ReferenceCstChildren = {
  Env?: IToken[];
  File?: IToken[];
  Identifier?: IToken[];
  StringLiteral?: IToken[];
  RawString?: IToken[];
};

export interface ListCstNode extends CstNode {
  name: "list";
  children: ListCstChildren;
}

export type ListCstChildren = {
  LBracket: IToken[];
  Separator?: IToken[];
  value?: ValueCstNode[];
  RBracket: IToken[];
};

export interface KeyCstNode extends CstNode {
  name: "key";
  children: KeyCstChildren;
}

export type KeyCstChildren = {
  Identifier?: IToken[];
  StringLiteral?: IToken[];
  RawString?: IToken[];
  True?: IToken[];
  False?: IToken[];
  Null?: IToken[];
  Env?: IToken[];
  File?: IToken[];
};

export interface ScalarCstNode extends CstNode {
  name: "scalar";
  children: ScalarCstChildren;
}

export type ScalarCstChildren = {
  StringLiteral?: IToken[];
  RawString?: IToken[];
  NumberLiteral?: IToken[];
  Duration?: IToken[];
  Size?: IToken[];
  True?: IToken[];
  False?: IToken[];
  Null?: IToken[];
  Identifier?: IToken[];
};
