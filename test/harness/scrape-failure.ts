// The ScrapeError a scrape (or a connection's exchange) rejects with: for unit tests of the
// scraper's HTTP side, which assert the reason and message.
import { ScrapeError } from '../../scraper/scrape-error.ts';

export async function scrapeFailure(p: Promise<unknown>): Promise<ScrapeError> {
  try {
    await p;
  } catch (err) {
    if (err instanceof ScrapeError) return err;
    throw err;
  }
  throw new Error('expected the scrape to fail');
}
