import { Hono } from 'hono';
import type { Env } from './v1.js';
export const docs = new Hono<Env>();
