// Make a drink of your own: size, ice, syrups (pumps), a soda base, add-ins
// and a name. The store's node prices it when it is saved; it joins your
// drinks on every node and goes into the basket.
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, useNavigate } from 'react-router';
import { apiAt, ok } from '../../api/client';
import { useSession } from '../../api/use-session';
import { money } from '../../ui/format';
import { Async, Empty, ProblemAlert } from '../../ui/states';
import { useChosenStore } from '../stores/chosen-store';
import { addToBasket } from './basket';
import { useBasket } from './basket-context';

const SIZES = ['16oz', '24oz', '32oz'] as const;
const ICE = ['none', 'light', 'regular', 'extra'] as const;
const MAX_PARTS = 8;

export default function BuilderPage() {
  const session = useSession();
  const { chosen } = useChosenStore();
  const base = chosen?.apiBaseUrl ?? '';
  const ingredients = useQuery({ queryKey: ['ingredients', base], queryFn: () => ok(apiAt(base).GET('/api/v1/ingredients'), chosen?.name ?? 'This node'), staleTime: 300_000 });
  const [name, setName] = useState('');
  const [size, setSize] = useState<(typeof SIZES)[number]>('24oz');
  const [ice, setIce] = useState<(typeof ICE)[number]>('regular');
  const [parts, setParts] = useState<Record<string, number>>({});
  const { setBasket } = useBasket();
  const qc = useQueryClient();
  const navigate = useNavigate();
  const save = useMutation({
    mutationFn: () =>
      ok(
        apiAt(base).POST('/api/v1/drinks', {
          body: { name, size, ice, ingredients: Object.entries(parts).filter(([, q]) => q > 0).map(([itemId, quantity]) => ({ itemId, quantity })) },
        }),
        chosen?.name ?? 'This node',
      ),
    onSuccess: (d) => {
      void qc.invalidateQueries({ queryKey: ['drinks'] });
      setBasket((b) => addToBasket(b, { drinkId: d.drinkId, name: d.name, unitPriceCents: d.priceCents }));
      navigate('/checkout');
    },
  });
  if (!session) {
    return (
      <section>
        <h1>Make your own drink</h1>
        <Empty>
          <Link to="/login">Sign in</Link> or <Link to="/signup">make an account</Link> to build and keep your own drinks.
        </Empty>
      </section>
    );
  }
  const count = Object.values(parts).filter((q) => q > 0).length;
  return (
    <section>
      <h1>Make your own drink</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          save.mutate();
        }}
      >
        <div className="field">
          <label htmlFor="drink-name">Name your drink</label>
          <input id="drink-name" required maxLength={100} value={name} onChange={(e) => setName(e.target.value)} />
        </div>
        <fieldset>
          <legend>Size</legend>
          {SIZES.map((s) => (
            <label key={s} className="radio">
              <input type="radio" name="size" checked={size === s} onChange={() => setSize(s)} /> {s}
            </label>
          ))}
        </fieldset>
        <fieldset>
          <legend>Ice</legend>
          {ICE.map((s) => (
            <label key={s} className="radio">
              <input type="radio" name="ice" checked={ice === s} onChange={() => setIce(s)} /> {s}
            </label>
          ))}
        </fieldset>
        <Async query={ingredients} what="ingredients">
          {(d) => (
            <>
              {(['soda', 'syrup', 'add-in', 'juice'] as const).map((type) => {
                const items = d.items.filter((i) => i.type === type && !i.retired);
                if (items.length === 0) return null;
                return (
                  <fieldset key={type} className="parts">
                    <legend>{type === 'add-in' ? 'Add-ins' : `${type[0]!.toUpperCase()}${type.slice(1)}s`} (how many {items[0]!.unit}s)</legend>
                    {items.map((i) => (
                      <label key={i.itemId} className="part">
                        {i.name}
                        <input
                          type="number"
                          min={0}
                          max={10}
                          value={parts[i.itemId] ?? 0}
                          onChange={(e) => setParts((p) => ({ ...p, [i.itemId]: Math.max(0, Math.min(10, Number(e.target.value) || 0)) }))}
                        />
                      </label>
                    ))}
                  </fieldset>
                );
              })}
            </>
          )}
        </Async>
        <p className="small">{count} of at most {MAX_PARTS} ingredients chosen. The store prices the drink when you save it.</p>
        <ProblemAlert error={save.error} />
        <button type="submit" className="primary" disabled={save.isPending || count === 0 || count > MAX_PARTS || !name.trim()}>
          Save my drink and add it to the basket
        </button>
        {save.data && <p>Saved: {money(save.data.priceCents)}</p>}
      </form>
    </section>
  );
}
