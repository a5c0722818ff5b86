import { ReactFlowProvider } from '@xyflow/react'
import { Canvas } from './components/Canvas'
import { DataDrop } from './components/DataDrop'
import { Header } from './components/Header'
import { MobileBar } from './components/MobileBar'
import { NoticeBar } from './components/NoticeBar'
import { Palette } from './components/Palette'
import { QuickAdd } from './components/QuickAdd'
import { SideBar } from './components/SideBar'
import { Tour } from './components/Tour'
import { useShortcuts } from './components/useShortcuts'
import { useStudio } from './store/useStudio'

export function App() {
  useShortcuts()
  const drawer = useStudio((s) => s.drawer)
  return (
    <ReactFlowProvider>
      <div className="app" data-drawer={drawer ?? 'none'}>
        <Header />
        <Palette />
        <Canvas />
        <SideBar />
        <MobileBar />
      </div>
      <NoticeBar />
      <DataDrop />
      <QuickAdd />
      <Tour />
    </ReactFlowProvider>
  )
}
