/** Every scheduled job. The reminder, 预警 and monthly ranking jobs come with the outbox (next issue). */
import type { Job } from '../src/core/job.js';

export const jobs: readonly Job[] = [];
