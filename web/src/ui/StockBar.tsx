// A stock level against its threshold: a bar, and the level in words beside
// it (colour is never the only signal).
import { stockLevel } from './format';

export function StockBar({ available, threshold, name }: { available: number; threshold: number; name: string }) {
  const { level, label, percent } = stockLevel(available, threshold);
  return (
    <div className="stockbar">
      <meter className={`meter-${level}`} min={0} max={100} low={20} high={50} optimum={100} value={Math.min(percent, 100)} aria-label={`${name} stock`} />
      <span className={`level level-${level}`}>
        {label} ({percent}% of threshold)
      </span>
    </div>
  );
}
