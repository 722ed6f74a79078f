// An Admiralty grading as a badge: letter and digit, each on its own colour scale. To a screen
// reader it is one image named by its words (a span may not carry a name of its own).
import { CREDIBILITY, RELIABILITY, gradeClass } from "./format";
import type { Grade } from "./queries";

export function Grading({ grade }: { grade: Grade }) {
  const words = `${RELIABILITY[grade.reliability] ?? grade.reliability}; ${CREDIBILITY[grade.credibility] ?? grade.credibility}`;
  return (
    <span className={gradeClass(grade)} role="img" title={words} aria-label={`grading ${grade.reliability}${grade.credibility}: ${words}`}>
      <span className="rel">{grade.reliability}</span>
      <span className="cred">{grade.credibility}</span>
    </span>
  );
}
