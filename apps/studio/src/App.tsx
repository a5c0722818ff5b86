import { ReactFlowProvider } from '@xyflow/react'
import { Canvas } from './components/Canvas'
import { Header } from './components/Header'
import { NoticeBar } from './components/NoticeBar'
import { Palette } from './components/Palette'
import { QuickAdd } from './components/QuickAdd'
import { SideBar } from './components/SideBar'
import { useShortcuts } from './components/useShortcuts'

export function App() {
  useShortcuts()
  return (
    <ReactFlowProvider>
      <div className="app">
        <Header />
        <Palette />
        <Canvas />
        <SideBar />
      </div>
      <NoticeBar />
      <QuickAdd />
    </ReactFlowProvider>
  )
}
