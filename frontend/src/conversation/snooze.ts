// The snooze presets, as the seeds list them: an hour, two, until tomorrow
// morning, until next Monday, a chosen time, or until the client writes.
// Times are the operator's local clock, as unix milliseconds.

export type SnoozePreset = "hour" | "twoHours" | "tomorrow" | "monday" | "forever";

export const snoozePresets: SnoozePreset[] = ["hour", "twoHours", "tomorrow", "monday", "forever"];

/** The hour "tomorrow" and "next Monday" mean. */
const morning = 9;

/** When a preset wakes the dialog; 0 means when the client writes. */
export function snoozeUntil(preset: SnoozePreset, now = new Date()): number {
  const at = new Date(now.getTime());
  switch (preset) {
    case "hour":
      return now.getTime() + 3_600_000;
    case "twoHours":
      return now.getTime() + 7_200_000;
    case "tomorrow":
      at.setDate(at.getDate() + 1);
      at.setHours(morning, 0, 0, 0);
      return at.getTime();
    case "monday": {
      const days = (1 - at.getDay() + 7) % 7 || 7; // Monday is 1; today's Monday means next week's
      at.setDate(at.getDate() + days);
      at.setHours(morning, 0, 0, 0);
      return at.getTime();
    }
    case "forever":
      return 0;
  }
}

/** A datetime-local input's value for a time (local, to the minute). */
export function localInputValue(ms: number): string {
  const d = new Date(ms);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
