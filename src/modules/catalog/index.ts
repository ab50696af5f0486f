// Catalog module: ingredients and drinks, their appliers and routes. Other
// modules read the catalog through the returned CatalogService (getDrink,
// getDrinks, ingredient, ingredients).
import type { FastifyInstance } from 'fastify';
import type { NodeContext } from '../../core/context.js';
import { registerCatalogAppliers } from './events.js';
import { registerCatalogRoutes } from './routes.js';
import { CatalogService } from './service.js';

export { CatalogService, type CatalogActor, type DrinkInput } from './service.js';
export {
  type Drink,
  type Ingredient,
  type IngredientType,
  type DrinkSize,
  type IceLevel,
  type RecipeLine,
  ingredientTypes,
  priceOf,
  SIZE_BASE_CENTS,
  UNIT_CENTS,
} from './model.js';
export { defaultDrinks, defaultIngredients } from './default-catalog.js';

export function registerCatalog(app: FastifyInstance, ctx: NodeContext): CatalogService {
  const service = new CatalogService(ctx.database.db, ctx.replication, () => ctx.clock.now());
  registerCatalogAppliers(ctx.replication);
  registerCatalogRoutes(app, ctx, service);
  return service;
}
