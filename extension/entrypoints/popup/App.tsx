export function App() {
  return <main><h1>Keywarden</h1></main>;
}
