import type { APIRoute } from 'astro';
import { getClientQuestions } from '../../lib/quiz-data';

/** Every question of every bank, for the mock interview, the review queue and the dashboard. */
export const GET: APIRoute = async () => Response.json(await getClientQuestions());
