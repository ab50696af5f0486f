// The app: one build every node serves at /. Routes per capability; later
// issues add theirs (supply, repairs, analytics) beside these.
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense } from 'react';
import { BrowserRouter, Route, Routes } from 'react-router';
import { ApiProblem } from './api/problem';
import { Layout } from './ui/Layout';
import { Loading } from './ui/states';
import { BasketProvider } from './features/orders/basket-context';
import { ChosenStoreProvider } from './features/stores/chosen-store';
import { HomePage } from './features/stores/HomePage';
import { MenuPage } from './features/orders/MenuPage';
import { CheckoutPage } from './features/orders/CheckoutPage';
import { OrderPage } from './features/orders/OrderPage';
import { HistoryPage } from './features/orders/HistoryPage';
import { LoginPage } from './features/accounts/AuthPages';
import { NotFoundPage } from './ui/NotFoundPage';

// Staff and admin pages load on demand: a customer's first load carries none of them.
const SignupPage = lazy(() => import('./features/accounts/SignupPage'));
const BuilderPage = lazy(() => import('./features/orders/BuilderPage'));
const FavoritesPage = lazy(() => import('./features/accounts/FavoritesPage'));
const StoreTodayPage = lazy(() => import('./features/orders/StoreTodayPage'));
const InventoryPage = lazy(() => import('./features/inventory/InventoryPage'));
const StoreAccountsPage = lazy(() => import('./features/accounts/StoreAccountsPage'));
const NetworkPage = lazy(() => import('./features/admin/NetworkPage'));
const AdminDashboardPage = lazy(() => import('./features/admin/AdminDashboardPage'));
const PeoplePage = lazy(() => import('./features/admin/PeoplePage'));
const StoreSupplyPage = lazy(() => import('./features/supply/StoreSupplyPage'));
const LogisticsPage = lazy(() => import('./features/logistics/LogisticsPage'));
const AnnouncementsPage = lazy(() => import('./features/admin/AnnouncementsPage'));

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A refusal will not change on a retry; a store that did not answer may.
      retry: (count, err) => count < 2 && (!(err instanceof ApiProblem) || err.status === 0 || err.status >= 500),
      refetchOnWindowFocus: true,
    },
  },
});

export function App() {
  return (
    <QueryClientProvider client={queryClient}>
      <ChosenStoreProvider>
        <BasketProvider>
          <BrowserRouter>
            <Suspense fallback={<Loading what="the page" />}>
              <Routes>
                <Route element={<Layout />}>
                  <Route index element={<HomePage />} />
                  <Route path="menu" element={<MenuPage />} />
                  <Route path="build" element={<BuilderPage />} />
                  <Route path="checkout" element={<CheckoutPage />} />
                  <Route path="orders" element={<HistoryPage />} />
                  <Route path="order/:storeId/:orderId" element={<OrderPage />} />
                  <Route path="favorites" element={<FavoritesPage />} />
                  <Route path="login" element={<LoginPage />} />
                  <Route path="signup" element={<SignupPage />} />
                  <Route path="staff/:storeId" element={<StoreTodayPage />} />
                  <Route path="staff/:storeId/inventory" element={<InventoryPage />} />
                  <Route path="staff/:storeId/accounts" element={<StoreAccountsPage />} />
                  <Route path="staff/:storeId/supply" element={<StoreSupplyPage />} />
                  <Route path="logistics" element={<LogisticsPage />} />
                  <Route path="admin" element={<NetworkPage />} />
                  <Route path="admin/dashboard" element={<AdminDashboardPage />} />
                  <Route path="admin/people" element={<PeoplePage />} />
                  <Route path="admin/announcements" element={<AnnouncementsPage />} />
                  <Route path="*" element={<NotFoundPage />} />
                </Route>
              </Routes>
            </Suspense>
          </BrowserRouter>
        </BasketProvider>
      </ChosenStoreProvider>
    </QueryClientProvider>
  );
}
