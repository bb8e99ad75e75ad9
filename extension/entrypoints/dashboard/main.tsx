import '../../lib/csp-safe-zod';
import { render } from 'preact';
import '../../assets/style.css';
import { App } from './App';

render(<App />, document.getElementById('app')!);
