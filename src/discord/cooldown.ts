/** Per-user rate limit: `take` answers how many seconds to wait, or 0 and starts a new wait. */
export interface Cooldown {
  take(userId: string): number;
}

/** Entries kept before expired ones are swept, so the map cannot grow without bound. */
const SWEEP_AT = 1000;

export function createCooldown(seconds: number, now: () => number = Date.now): Cooldown {
  const readyAt = new Map<string, number>();
  return {
    take(userId) {
      if (seconds <= 0) return 0;
      const at = now();
      const until = readyAt.get(userId) ?? 0;
      if (until > at) return Math.ceil((until - at) / 1000);
      if (readyAt.size >= SWEEP_AT) for (const [id, time] of readyAt) if (time <= at) readyAt.delete(id);
      readyAt.set(userId, at + seconds * 1000);
      return 0;
    },
  };
}
