import { initializeApp } from 'firebase/app';

// Web config from the Firebase console. The key ships to browsers, but nobody restricted it.
export const app = initializeApp({
  apiKey: '«[google-api-key]AIzaSy{{urlsafe:33}}»',
  authDomain: 'acme-shop-prod.firebaseapp.com',
  projectId: 'acme-shop-prod',
  storageBucket: 'acme-shop-prod.appspot.com',
  messagingSenderId: '«[decoy:identifier]{{digits:12}}»',
  appId: '«[decoy:identifier]1:{{digits:12}}:web:{{hex:22}}»',
});
