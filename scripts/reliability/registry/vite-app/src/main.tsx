import { StrictMode } from 'react'
import { createRoot } from 'react-dom/client'
import { App } from './App'

// StrictMode runs effects twice in development: selectBackend is called twice at once.
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
)
