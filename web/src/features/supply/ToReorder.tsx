// The manager's warning: what runs out before the next delivery comes, and
// what crosses its reorder point before then, from the store's own sales.
import { useQuery } from '@tanstack/react-query';
import { apiAt, ok } from '../../api/client';
import { Table } from '../../ui/Table';
import { Async } from '../../ui/states';

export function ToReorder({ storeId, base, onSuggest }: { storeId: string; base: string; onSuggest: (itemId: string, quantity: number) => void }) {
  const view = useQuery({
    queryKey: ['supply', 'to-reorder', storeId],
    refetchInterval: 30_000,
    queryFn: () => ok(apiAt(base).GET('/api/v1/stores/{storeId}/to-reorder', { params: { path: { storeId } } })),
  });
  return (
    <Async query={view} what="what to reorder">
      {(v) => {
        const out = v.items.filter((i) => i.runsOutBeforeDelivery);
        return (
          <section aria-label="To reorder">
            <h2>To reorder</h2>
            <p>
              {v.nextDelivery ? `Next delivery: ${v.nextDelivery.scheduledDate} (${v.daysToDelivery} days).` : `No delivery is scheduled; counting ${v.daysToDelivery} days.`}{' '}
              {out.length > 0 ? (
                <strong role="alert">
                  {out.length} item{out.length === 1 ? '' : 's'} will run out before it: {out.map((i) => i.name).join(', ')}.
                </strong>
              ) : (
                'Nothing runs out before it.'
              )}
            </p>
            {v.items.length > 0 && (
              <Table caption="Items that cross their reorder point before the next delivery" columns={['Item', 'Available', 'Coming', 'Use a day', 'Days left', 'At the delivery', 'Reorder at', 'Ask for']}>
                {v.items.map((i) => (
                  <tr key={i.itemId}>
                    <th scope="row">
                      {i.name} {i.runsOutBeforeDelivery && <span className="tag">runs out</span>}
                    </th>
                    <td>{i.available}</td>
                    <td>{i.projected - i.available}</td>
                    <td>{i.dailyUse}</td>
                    <td>{i.daysOfStock ?? 'not selling'}</td>
                    <td>{i.projectedAtNextDelivery}</td>
                    <td>
                      {i.reorderPoint} ({i.basis === 'rule' ? 'rule' : 'threshold'})
                    </td>
                    <td>
                      <button type="button" onClick={() => onSuggest(i.itemId, i.suggestedQuantity)}>
                        Ask for {i.suggestedQuantity} <span className="sr-only">{i.name}</span>
                      </button>
                    </td>
                  </tr>
                ))}
              </Table>
            )}
          </section>
        );
      }}
    </Async>
  );
}
