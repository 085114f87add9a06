import { render, waitFor } from '@testing-library/react';
import App from './App';

describe('App', () => {
  it('renders Lunar sign-in page with the configured provider', async () => {
    process.env = {
      NODE_ENV: 'test',
      APP_CONFIG: [
        {
          data: {
            app: { title: 'Lunar' },
            backend: { baseUrl: 'http://localhost:7007' },
            lunar: { signIn: { providers: ['guest'] } },
            techdocs: {
              storageUrl: 'http://localhost:7007/api/techdocs/static/docs',
            },
          },
          context: 'test',
        },
      ] as any,
    };

    const rendered = render(App.createRoot());

    await waitFor(
      () => {
        expect(
          rendered.getByText('Lunar developer portal'),
        ).toBeInTheDocument();
      },
      { timeout: 10_000 },
    );
    expect(rendered.getByRole('button', { name: 'Enter' })).toBeInTheDocument();
  });
});
