// HAProxy's health counter (check.c), pure. `health` runs from 0 to rise+fall-1; the server
// is UP from `rise` upwards. A success from below `rise` counts one up; reaching `rise`
// jumps to the top (fully UP). A failure counts one down; dropping below `rise` goes
// straight to 0 (DOWN). So a DOWN server needs `rise` consecutive successes, an UP one
// `fall` consecutive failures, and any interruption restarts the count.
// A server starts UP with health = rise ("UP 1/3" in the stats with fall 3): one failure
// before the first success marks it DOWN, as HAProxy does at start-up.

export interface HealthParams {
  readonly rise: number;
  readonly fall: number;
  readonly inter: number;
  readonly fastinter?: number | undefined;
  readonly downinter?: number | undefined;
}

export type HealthTransition = 'up' | 'down' | undefined;

export class HealthCounter {
  health: number;
  up: boolean;

  constructor(
    readonly params: HealthParams,
    initiallyUp = true,
  ) {
    this.up = initiallyUp;
    this.health = initiallyUp ? params.rise : 0;
  }

  private get top(): number {
    return this.params.rise + this.params.fall - 1;
  }

  /** A passed check. Returns 'up' when the server just became UP. */
  success(): HealthTransition {
    if (this.health < this.top) {
      this.health++;
      if (this.health >= this.params.rise) this.health = this.top;
    }
    if (!this.up && this.health >= this.params.rise) {
      this.up = true;
      return 'up';
    }
    return undefined;
  }

  /** A failed check. Returns 'down' when the server just became DOWN. */
  failure(): HealthTransition {
    if (this.health > 0) {
      this.health--;
      if (this.health < this.params.rise) this.health = 0;
    }
    if (this.up && this.health === 0) {
      this.up = false;
      return 'down';
    }
    return undefined;
  }

  /** Forces the state (`on-error mark-down`, `sudden-death` leaves one failure to go). */
  markDown(): HealthTransition {
    this.health = 0;
    if (!this.up) return undefined;
    this.up = false;
    return 'down';
  }

  /** `sudden-death`: as if only one failure were left before DOWN. */
  suddenDeath(): HealthTransition {
    if (this.up && this.health > this.params.rise) this.health = this.params.rise;
    return undefined;
  }

  /** The status as HAProxy's stats show it: `UP`, `UP 1/3`, `DOWN`, `DOWN 1/2`. */
  status(): string {
    if (this.up) {
      return this.health < this.top
        ? `UP ${this.health - this.params.rise + 1}/${this.params.fall}`
        : 'UP';
    }
    return this.health === 0 ? 'DOWN' : `DOWN ${this.health}/${this.params.rise}`;
  }

  /**
   * The delay before the next check (HAProxy's srv_getinter): `inter` when fully UP,
   * `downinter` when fully DOWN, `fastinter` while the state is changing; each defaults
   * to `inter`.
   */
  interval(): number {
    const p = this.params;
    if (this.up && this.health === this.top) return p.inter;
    if (!this.up && this.health === 0) return p.downinter || p.inter;
    return p.fastinter || p.inter;
  }
}
