// The activity chart under the timeline: events per day, week or month (the `activity` query)
// against the baseline the API measures over as many buckets just before the window. A bar's
// solid part is `count` (events whose whole span lies in the bucket), its hatched top
// `uncertain` (events that may have happened in it); the dashed line is the baseline's mean. A
// bucket whose zScore reaches UNUSUAL_Z is drawn red and listed under the chart in words.
import { useEffect, useRef } from "react";
import { useQuery } from "urql";
import { ProblemNotice } from "./problems";
import { ACTIVITY, activityScope, type Activity, type ActivityBucket, type TimeBucket } from "./queries";

/** Two spreads above the baseline's mean (docs/graphql.md says how the spread is floored). */
export const UNUSUAL_Z = 2;
export const BUCKETS: TimeBucket[] = ["DAY", "WEEK", "MONTH"];

const WIDTH = 800;
const HEIGHT = 160;
const AXIS = 18;
const DAY_TEXT = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric", timeZone: "UTC" });
const MONTH_TEXT = new Intl.DateTimeFormat("en-GB", { month: "long", year: "numeric", timeZone: "UTC" });

function bucketText(unit: TimeBucket, bucket: ActivityBucket): string {
  const start = new Date(bucket.start);
  if (unit === "MONTH") return MONTH_TEXT.format(start);
  return unit === "WEEK" ? `week of ${DAY_TEXT.format(start)}` : DAY_TEXT.format(start);
}

function countText(bucket: ActivityBucket): string {
  return `${bucket.count} event${bucket.count === 1 ? "" : "s"}, ${bucket.uncertain} more maybe, z = ${bucket.zScore.toFixed(1)}`;
}

type Props = {
  scope: string;
  unit: TimeBucket;
  window: { from: string; to: string };
  /** The events that arrived live (a new array each time one does): the counts are asked anew. */
  arrived: readonly unknown[];
  onUnit: (unit: TimeBucket) => void;
};

export function ActivityChart({ scope, unit, window, arrived, onUnit }: Props) {
  const [result, ask] = useQuery<{ activity: Activity }>({
    query: ACTIVITY,
    variables: { bucket: unit, window, ...activityScope(scope) },
  });
  const counted = useRef(arrived);
  useEffect(() => {
    if (counted.current === arrived) return;
    counted.current = arrived;
    ask({ requestPolicy: "network-only" });
  }, [arrived, ask]);
  const activity = result.data?.activity;
  return (
    <section className="activity">
      <h2>Activity</h2>
      <p className="scope">
        <label>
          Events per{" "}
          <select aria-label="Events per" value={unit} onChange={(e) => onUnit(e.target.value as TimeBucket)}>
            {BUCKETS.map((b) => <option key={b} value={b}>{b.toLowerCase()}</option>)}
          </select>
        </label>
      </p>
      {result.error && <ProblemNotice error={result.error} />}
      {result.fetching && !activity && <p>Loading the activity…</p>}
      {activity && !result.error && <Bars activity={activity} />}
    </section>
  );
}

function Bars({ activity }: { activity: Activity }) {
  const { buckets, baseline } = activity;
  const top = Math.max(1, baseline.mean, ...buckets.map((b) => b.count + b.uncertain));
  const step = WIDTH / Math.max(1, buckets.length);
  const y = (n: number) => HEIGHT - AXIS - (n / top) * (HEIGHT - AXIS - 4);
  const unusual = buckets.filter((b) => b.zScore >= UNUSUAL_Z);
  const labelEvery = Math.max(1, Math.ceil(buckets.length / 8));
  const baselineText = `baseline ${baseline.mean.toFixed(1)} a ${activity.bucket.toLowerCase()} over the ${baseline.buckets} before`;
  return (
    <figure className="activity-figure" aria-label={`Activity by ${activity.bucket.toLowerCase()} against its baseline`}>
      <svg
        data-testid="activity"
        data-bucket={activity.bucket}
        data-baseline-mean={baseline.mean}
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-label={`${buckets.length} ${activity.bucket.toLowerCase()}s, ${baselineText}; ${unusual.length} unusual`}
      >
        <defs>
          <pattern id="activity-hatch" width="8" height="8" patternUnits="userSpaceOnUse" patternTransform="rotate(45)">
            <rect width="8" height="8" fill="#fbeed3" />
            <rect width="4" height="8" fill="#f3d9a4" />
          </pattern>
        </defs>
        {buckets.map((b, i) => {
          const x = i * step + step * 0.1;
          const w = step * 0.8;
          const flagged = b.zScore >= UNUSUAL_Z;
          return (
            <g
              key={b.start}
              className={flagged ? "bucket unusual" : "bucket"}
              data-start={b.start}
              data-count={b.count}
              data-uncertain={b.uncertain}
              data-z={b.zScore}
              data-unusual={flagged}
            >
              <title>{`${bucketText(activity.bucket, b)}: ${countText(b)}`}</title>
              <rect className="known" x={x} width={w} y={y(b.count)} height={y(0) - y(b.count)} />
              <rect className="maybe" x={x} width={w} y={y(b.count + b.uncertain)} height={y(b.count) - y(b.count + b.uncertain)} />
              {i % labelEvery === 0 && (
                <text x={x} y={HEIGHT - 4}>{activity.bucket === "MONTH" ? MONTH_TEXT.format(new Date(b.start)) : DAY_TEXT.format(new Date(b.start))}</text>
              )}
            </g>
          );
        })}
        <line className="baseline" x1={0} x2={WIDTH} y1={y(baseline.mean)} y2={y(baseline.mean)} />
        <line className="axis" x1={0} x2={WIDTH} y1={y(0)} y2={y(0)} />
      </svg>
      <figcaption className="legend">
        <span className="legend-entry"><span className="swatch activity-known" /> events in the {activity.bucket.toLowerCase()}</span>
        <span className="legend-entry"><span className="swatch activity-maybe" /> may be in it (their span is longer)</span>
        <span className="legend-entry"><span className="swatch activity-unusual" /> unusual (z ≥ {UNUSUAL_Z})</span>
        <span className="legend-entry"><span className="swatch activity-baseline" /> {baselineText}</span>
      </figcaption>
      <p className="unusual-list" data-testid="unusual">
        {unusual.length === 0
          ? `No ${activity.bucket.toLowerCase()} stands out against the baseline.`
          : <>Unusual: {unusual.map((b, i) => <span key={b.start} data-start={b.start}>{i > 0 && "; "}{bucketText(activity.bucket, b)} ({countText(b)})</span>)}.</>}
      </p>
    </figure>
  );
}
