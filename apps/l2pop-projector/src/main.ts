import 'reflect-metadata';
import { runProcess } from '@cp/runtime';
import { serveL2popProcess } from './serve-process';

runProcess(serveL2popProcess);
