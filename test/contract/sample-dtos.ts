/** DTO classes as a server declares them (a method, a Date), for the contract's type-level tests. */
export class Say {
  text!: string;
  shout(): string {
    return this.text.toUpperCase();
  }
}
export class Join {
  room!: string;
}
export class Joined {
  room!: string;
  online!: number;
  at!: Date;
}
